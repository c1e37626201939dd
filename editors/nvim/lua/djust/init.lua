-- djust for Neovim: the configuration of `djust lsp` (diagnostics, completion, hover,
-- go-to-definition, references and quick fixes for djust LiveViews and Django
-- templates). It runs beside the HTML and Python servers; it does not replace them.
local M = {}

--- Markers of a project root, nearest first.
M.root_markers = { 'manage.py', 'pyproject.toml', '.git' }

--- Filetypes the server attaches to.
M.filetypes = { 'htmldjango', 'html', 'python' }

--- The `djust` command: `opts.cmd` when given, else the project's virtualenv
--- (`.venv`, `venv`, `env` under `root`), else `djust` on PATH.
---@param root string|nil
---@param opts table|nil
---@return string[]
function M.cmd(root, opts)
  opts = opts or {}
  if opts.cmd then
    return opts.cmd
  end
  if root then
    for _, venv in ipairs({ '.venv', 'venv', 'env' }) do
      local candidate = root .. '/' .. venv .. '/bin/djust'
      if vim.fn.executable(candidate) == 1 then
        return { candidate, 'lsp' }
      end
    end
  end
  return { 'djust', 'lsp' }
end

--- The server configuration: a table for `vim.lsp.config('djust', …)` (Neovim 0.11+).
---@param opts table|nil  { cmd = { ... } } to force the command
---@return table
function M.config(opts)
  opts = opts or {}
  return {
    cmd = function(dispatchers, config)
      local root = config and config.root_dir or vim.fn.getcwd()
      return vim.lsp.rpc.start(M.cmd(root, opts), dispatchers, { cwd = root })
    end,
    filetypes = opts.filetypes or M.filetypes,
    root_markers = opts.root_markers or M.root_markers,
  }
end

--- Register and enable the server (Neovim 0.11+), and treat `templates/**/*.html`
--- as Django templates.
---@param opts table|nil
function M.setup(opts)
  vim.filetype.add({ pattern = { ['.*/templates/.*%.html'] = 'htmldjango' } })
  vim.lsp.config('djust', M.config(opts))
  vim.lsp.enable('djust')
end

return M
