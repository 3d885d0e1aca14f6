module scratch

go 1.22
