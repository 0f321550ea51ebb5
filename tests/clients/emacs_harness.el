;;; emacs_harness.el --- drive Eglot + mmname-lsp in batch  -*- lexical-binding: t; -*-
;;
;; MMNAME_REPO=... MMNAME_FILE=x.py MMNAME_RESULT=out.json emacs --batch -l emacs_harness.el
;;
;; With MMNAME_CHECK=metafile, MMNAME_FILE is a metafile.yml (yaml-mode,
;; started by `mmname-eglot-ensure'): diagnostics, and hover on the token
;; MMNAME_HOVER_TOKEN of the model entry MMNAME_HOVER_NAME.
;;
;; Loads editors/emacs/mmname.el, opens the file, lets Eglot start the server
;; through `mmname-eglot-setup', waits for mmname's diagnostics, asks for hover
;; and completion, writes what it saw as JSON and exits 0 (pass) or 1 (fail).

(require 'package)
(package-initialize)
(require 'json)
(require 'subr-x)

(defvar mmname-test-repo (getenv "MMNAME_REPO"))
(defvar mmname-test-file (getenv "MMNAME_FILE"))
(defvar mmname-test-result (getenv "MMNAME_RESULT"))
(defvar mmname-test-check (or (getenv "MMNAME_CHECK") "python"))
(defvar mmname-test-wait (string-to-number (or (getenv "MMNAME_WAIT_S") "20")))
(defvar mmname-test-notifications nil "publishDiagnostics params seen, newest first.")
(defvar mmname-test-problems nil)

(load (expand-file-name "editors/emacs/mmname.el" mmname-test-repo) nil t)
(mmname-eglot-setup)
;; MMNAME_SERVER_COMMAND (words split on spaces) replaces the command, e.g.
;; to put a multiplexer in front of mmname-lsp.
(when (getenv "MMNAME_SERVER_COMMAND")
  (setq mmname-server-command (split-string (getenv "MMNAME_SERVER_COMMAND"))))
;; A setting the test can see the effect of: MMN103 reported as a hint.
(setq mmname-settings '(:enable t :severity (:MMN103 "hint")))

(advice-add 'eglot-handle-notification :before
            (lambda (_server method &rest params)
              (when (eq method 'textDocument/publishDiagnostics)
                (push params mmname-test-notifications))))

(defun mmname-test-problem (fmt &rest args)
  (push (apply #'format fmt args) mmname-test-problems))

(defun mmname-test-finish (result)
  (let ((pass (null mmname-test-problems)))
    (setq result (append `((pass . ,(if pass t :json-false))
                           (problems . ,(vconcat (reverse mmname-test-problems))))
                         result))
    (with-temp-file mmname-test-result
      (insert (json-encode result)))
    (princ (format "%s %s\n" (if pass "PASS" "FAIL")
                   (string-join (reverse mmname-test-problems) "; ")))
    (kill-emacs (if pass 0 1))))

(defun mmname-test-ours ()
  "mmname's diagnostics from the newest publishDiagnostics for this file."
  (let ((uri (eglot--path-to-uri buffer-file-name)))
    (cl-loop for params in mmname-test-notifications
             when (equal (plist-get params :uri) uri)
             return (cl-remove-if-not
                     (lambda (d) (equal (plist-get d :source) "mmname"))
                     (append (plist-get params :diagnostics) nil)))))

(defun mmname-test-labels (completion)
  (let ((items (if (vectorp completion) completion (plist-get completion :items))))
    (vconcat (mapcar (lambda (i) (plist-get i :label)) items))))

(defun mmname-test-metafile (server result)
  "Hover the token of the model entry named in the environment; finish."
  (let ((name (getenv "MMNAME_HOVER_NAME"))
        (token (getenv "MMNAME_HOVER_TOKEN")))
    (goto-char (point-min))
    (if (not (and (search-forward (concat "Name: " name) nil t)
                  (search-backward token (line-beginning-position) t)))
        (mmname-test-problem "no entry %s with %s" name token)
      (forward-char 1)
      (let ((hover (jsonrpc-request server :textDocument/hover
                                    (eglot--TextDocumentPositionParams))))
        (push `(hover . ,(plist-get (plist-get hover :contents) :value)) result)))
    (let ((hover (cdr (assq 'hover result))))
      (unless (and hover (string-match-p (regexp-quote token) hover))
        (mmname-test-problem "hover lacks %s: %S" token hover)))
    (ignore-errors (eglot-shutdown server))
    (mmname-test-finish result)))

(defun mmname-test-run ()
  (find-file mmname-test-file)
  (let* ((result `((emacs . ,emacs-version)
                   (eglot . ,(or (ignore-errors
                                   (package-version-join
                                    (package-desc-version (cadr (assq 'eglot package-alist)))))
                                 "builtin"))
                   (major_mode . ,(symbol-name major-mode))))
         (contact (eglot--guess-contact))
         (start (float-time))
         server)
    (push `(contact . ,(format "%S" (nth 3 contact))) result)
    (if (equal mmname-test-check "metafile")
        ;; The hook editors/README.md gives for yaml-mode (find-file ran the
        ;; mode hooks before this harness could add it: call it as the hook
        ;; would). eglot-ensure connects from post-command-hook, which batch
        ;; mode never runs by itself.
        (progn (mmname-eglot-ensure) (run-hooks 'post-command-hook))
      (apply #'eglot contact))
    ;; Eglot waits `eglot-sync-connect' seconds, then goes on connecting
    ;; in the background: wait for the connection here.
    (while (and (null (setq server (eglot-current-server)))
                (< (- (float-time) start) mmname-test-wait))
      (accept-process-output nil 0.05))
    (unless server
      (mmname-test-problem "eglot did not start a server")
      (mmname-test-finish result))
    (while (and (null (mmname-test-ours))
                (< (- (float-time) start) mmname-test-wait))
      (accept-process-output nil 0.05))
    (push `(diagnostics_ms . ,(round (* 1000 (- (float-time) start)))) result)
    (push `(diagnostics . ,(vconcat
                            (mapcar (lambda (d)
                                      `((line . ,(plist-get (plist-get (plist-get d :range) :start) :line))
                                        (code . ,(plist-get d :code))
                                        (severity . ,(plist-get d :severity))
                                        (message . ,(plist-get d :message))))
                                    (mmname-test-ours))))
          result)
    (unless (mmname-test-ours)
      (mmname-test-problem "no mmname diagnostics within %s s" mmname-test-wait))
    ;; Flymake shows them in the buffer (eglot is its backend).
    (let ((deadline (+ (float-time) 5)))
      (while (and (null (flymake-diagnostics)) (< (float-time) deadline))
        (accept-process-output nil 0.05)))
    (push `(flymake . ,(vconcat (mapcar #'flymake-diagnostic-text (flymake-diagnostics)))) result)
    (when (equal mmname-test-check "metafile")
      (push `(server_command . ,(vconcat (process-command (jsonrpc--process server)))) result)
      (mmname-test-metafile server result))
    ;; Hover and completion on the name in the load_from line.
    (goto-char (point-min))
    (if (not (search-forward "load_from = 'resnet50_8xb32-colsr_imagenet'" nil t))
        (mmname-test-problem "fixture line with load_from not found")
      (let ((name-start (- (point) (length "resnet50_8xb32-colsr_imagenet'"))))
        (goto-char (+ name-start (length "resnet50_") 2))
        (let ((hover (jsonrpc-request server :textDocument/hover
                                      (eglot--TextDocumentPositionParams))))
          (push `(hover . ,(plist-get (plist-get hover :contents) :value)) result))
        (goto-char (+ name-start (length "resnet50_")))
        (push `(completion_after_underscore
                . ,(mmname-test-labels
                    (jsonrpc-request server :textDocument/completion
                                     (eglot--CompletionParams))))
              result)
        (goto-char (+ name-start (length "resnet50_8xb32-")))
        (push `(completion_after_dash
                . ,(mmname-test-labels
                    (jsonrpc-request server :textDocument/completion
                                     (eglot--CompletionParams))))
              result)))
    (let ((hover (cdr (assq 'hover result))))
      (unless (and hover (string-match-p "8xb32" hover) (string-match-p "GPUs" hover))
        (mmname-test-problem "hover lacks the 8xb32 breakdown: %S" hover)))
    (unless (seq-contains-p (cdr (assq 'completion_after_underscore result)) "8xb32")
      (mmname-test-problem "no 8xb32 in completion after _"))
    (unless (seq-contains-p (cdr (assq 'completion_after_dash result)) "coslr")
      (mmname-test-problem "no coslr in completion after -"))
    (ignore-errors (eglot-shutdown server))
    (mmname-test-finish result)))

(condition-case err
    (mmname-test-run)
  (error
   (mmname-test-problem "harness error: %S" err)
   (mmname-test-finish nil)))
