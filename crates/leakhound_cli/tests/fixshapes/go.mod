module example.com/fixshapes

go 1.22
