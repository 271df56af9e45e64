"""What the browser tests type and how their JupyterLab server is set up."""

#: JupyterLab settings of a test server: no news prompt over the notebook, no update check.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}

#: A right ``compute_gradient`` of mse_gradient, as a student types it.
RIGHT = '''def compute_gradient(X, y, w):
    """Gradient of J(w) = (1/n) * ||X w - y||^2 with respect to w."""
    return 2 / len(y) * X.T @ (X @ w - y)'''
