module leakhound.dev/goparserbench

go 1.22
