-- The djust language server for Neovim 0.11+ (`vim.lsp.config`). With this directory
-- on 'runtimepath', `vim.lsp.enable('djust')` is all it takes; see README.md.
return require('djust').config()
