"""The suite's only way to an XporY stack: configuration, TLS, HTTP/SQL/browser clients, stack control.

Nothing here imports `sandbox`: every stack, embedded or staging, is reached over HTTP(S), SQL and
the browser.
"""
