module goapps

go 1.22
