-- A clean Neovim for the language-server test: no user configuration, no swap or shada files.
vim.opt.swapfile = false
vim.opt.shadafile = "NONE"
vim.opt.hidden = true
