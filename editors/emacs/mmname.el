;;; mmname.el --- Eglot setup for mmname-lsp (OpenMMLab MMPretrain names)  -*- lexical-binding: t; -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "27.1") (eglot "1.9"))
;; Keywords: languages, tools
;; SPDX-License-Identifier: Apache-2.0

;;; Commentary:

;; mmname-lsp checks OpenMMLab MMPretrain config file names, checkpoint names
;; and model names in Python files, explains them on hover and completes them.
;; This file tells Eglot how to start it.
;;
;;   (add-to-list 'load-path "/path/to/mmname-lsp/editors/emacs")
;;   (require 'mmname)
;;   (mmname-eglot-setup)                 ; Eglot now starts mmname-lsp for Python
;;   (add-hook 'python-mode-hook #'eglot-ensure)
;;   ;; metafile.yml, model-index.yml and README*.md (model tables) too:
;;   (add-hook 'yaml-mode-hook #'mmname-eglot-ensure)
;;   (add-hook 'markdown-mode-hook #'mmname-eglot-ensure)
;;
;; In the modes of `mmname-other-modes' (YAML, Markdown) mmname-lsp serves
;; only those files; any other YAML or Markdown file gets the server Eglot
;; would have used without this setup.
;;
;; Eglot runs a single server per buffer (one per major mode and project), so
;; `mmname-eglot-setup' puts mmname-lsp in front of the other Python servers
;; in `eglot-server-programs'.  `mmname-eglot-remove' undoes that.  To pick a
;; server for one project without changing the setup, use C-u M-x eglot and
;; type the command (for example "mmname-lsp --stdio").
;;
;; Settings: `mmname-settings' is sent as initializationOptions.  A section
;; :mmname in `eglot-workspace-configuration' (for example in .dir-locals.el)
;; is answered to the server's workspace/configuration request and wins over
;; `mmname-settings'.

;;; Code:

(require 'cl-lib)
(require 'eglot)

(defgroup mmname nil
  "Check OpenMMLab MMPretrain names with mmname-lsp."
  :group 'tools
  :prefix "mmname-")

(defcustom mmname-server-command '("mmname-lsp" "--stdio")
  "Program and arguments that start mmname-lsp over stdio.
For a server installed in a virtual environment, use for example
\\='(\"/path/to/venv/bin/python\" \"-m\" \"mmname_lsp\" \"--stdio\")."
  :type '(repeat string))

(defcustom mmname-major-modes '(python-mode python-ts-mode)
  "Major modes whose buffers Eglot should connect to mmname-lsp."
  :type '(repeat symbol))

(defcustom mmname-other-modes '(yaml-mode yaml-ts-mode markdown-mode gfm-mode)
  "Major modes of OpenMMLab metafiles, model indexes and READMEs.
In these modes mmname-lsp serves only the files it understands (see
`mmname-understood-p'); other files keep their usual server."
  :type '(repeat symbol))

(defcustom mmname-settings nil
  "Settings for mmname-lsp, a plist with the keys of VS Code's `mmname.*' settings.
For example:

  (:enable t
   :severity (:MMN101 \"error\" :MMN102 \"hint\")
   :extraTokens (:mytoken \"what it means\")
   :sources [\"filename\" \"base\" \"checkpoint\" \"model_api\" \"literal\"])

Lists are written as vectors, maps as plists, false as :json-false.
nil sends nothing, and the server uses its defaults."
  :type '(plist))

(defun mmname-understood-p ()
  "Non-nil when mmname-lsp reads the current buffer: a buffer in one of
`mmname-major-modes', or an OpenMMLab metafile, model index or README."
  (or (apply #'derived-mode-p mmname-major-modes)
      (let ((name (and buffer-file-name
                       (downcase (file-name-nondirectory buffer-file-name)))))
        (and name
             (or (member name '("metafile.yml" "metafile.yaml"
                                "model-index.yml" "model-index.yaml"))
                 (string-match-p "\\`readme.*\\.md\\'" name))))))

(defun mmname-eglot-contact (&optional interactive)
  "Return the Eglot CONTACT that starts mmname-lsp (see `eglot-server-programs').
For a file mmname-lsp does not read (another YAML or Markdown file), the
contact of the next entry of `eglot-server-programs' for its mode."
  (if (mmname-understood-p)
      (append mmname-server-command
              (when mmname-settings
                (list :initializationOptions mmname-settings)))
    (mmname--other-contact interactive)))

(defun mmname--entry-p (entry)
  (eq (cdr-safe entry) #'mmname-eglot-contact))

(defun mmname--modes-of (spec)
  "The major modes of an `eglot-server-programs' key SPEC (any of its forms)."
  (let ((specs (if (or (symbolp spec) (keywordp (cadr spec))) (list spec) spec)))
    (mapcar (lambda (s) (if (consp s) (car s) s)) specs)))

(defun mmname--other-contact (interactive)
  "The contact Eglot would use for this buffer without mmname's entry."
  (cl-loop for (spec . contact) in eglot-server-programs
           unless (eq contact #'mmname-eglot-contact)
           when (apply #'derived-mode-p (mmname--modes-of spec))
           return (if (functionp contact) (funcall contact interactive) contact)))

;;;###autoload
(defun mmname-eglot-ensure ()
  "Like `eglot-ensure', for the files mmname-lsp reads only.
For `yaml-mode-hook' and `markdown-mode-hook': metafiles, model indexes
and READMEs get a server, other YAML and Markdown files are left alone."
  (when (mmname-understood-p)
    (eglot-ensure)))

;;;###autoload
(defun mmname-eglot-setup ()
  "Make Eglot start mmname-lsp for the modes in `mmname-major-modes', and
for metafiles, model indexes and READMEs in `mmname-other-modes'.
This puts mmname-lsp ahead of any other server for those modes."
  (interactive)
  (mmname-eglot-remove)
  (push (cons (append mmname-major-modes mmname-other-modes) #'mmname-eglot-contact)
        eglot-server-programs))

;;;###autoload
(defun mmname-eglot-remove ()
  "Undo `mmname-eglot-setup': Eglot falls back to its other Python servers."
  (interactive)
  (setq eglot-server-programs (cl-remove-if #'mmname--entry-p eglot-server-programs)))

(provide 'mmname)
;;; mmname.el ends here
