"""The embedded XporY stack: Control Plane, exporter WL, importer WL, storefront and Admin UI.

The suite never imports this package; it reaches the stack over HTTP(S), SQL and the browser.
"""
