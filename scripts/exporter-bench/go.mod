module exporterbench

go 1.21
