-- mmname-lsp for Neovim 0.7: vim.lsp.start_client() once, then
-- vim.lsp.buf_attach_client() for every Python buffer, metafile, model index
-- and README.
-- Paste into init.lua, or load it from there: dofile('/path/to/nvim-0.7.lua').
local mmname_client_id = nil

local function mmname_attach(bufnr)
  if mmname_client_id == nil or vim.lsp.get_client_by_id(mmname_client_id) == nil then
    mmname_client_id = vim.lsp.start_client({
      name = 'mmname',
      cmd = { 'mmname-lsp', '--stdio' },
      root_dir = vim.fn.getcwd(),
      -- 0.7 does not answer workspace/configuration: send the settings
      -- below to the server once it is up.
      on_init = function(client)
        client.notify('workspace/didChangeConfiguration', { settings = client.config.settings })
        return true
      end,
      -- Same keys as VS Code's `mmname.*` settings (answered to workspace/configuration).
      settings = {
        mmname = {
          enable = true,
          -- severity = { MMN101 = 'error', MMN102 = 'hint' },
          -- extraTokens = { mytoken = 'what it means' },
          sources = { 'filename', 'base', 'base_import', 'checkpoint', 'model_api', 'literal' },
        },
      },
    })
  end
  if mmname_client_id ~= nil then
    vim.lsp.buf_attach_client(bufnr, mmname_client_id)
  end
end

-- Python buffers, and the metafiles, model indexes and READMEs (model
-- tables) the server also reads.
local function mmname_understood(bufnr)
  if vim.bo[bufnr].filetype == 'python' then
    return true
  end
  local name = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ':t'):lower()
  return name == 'metafile.yml' or name == 'metafile.yaml' or name == 'model-index.yml'
    or name == 'model-index.yaml' or (name:match('^readme') ~= nil and name:match('%.md$') ~= nil)
end

vim.api.nvim_create_autocmd('FileType', {
  pattern = { 'python', 'yaml', 'markdown' },
  group = vim.api.nvim_create_augroup('mmname_lsp', { clear = true }),
  callback = function(args)
    if mmname_understood(args.buf) then
      mmname_attach(args.buf)
    end
  end,
})
