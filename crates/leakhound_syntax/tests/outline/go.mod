module leakhound.dev/outline

go 1.22
