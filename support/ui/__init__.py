"""The browser layer of the `@ui` scenarios (Playwright, sync API).

- `browser`: which Chromium to run (Playwright's own, else the system's), the NSS trust store that
  makes it trust the profile's CA, and the run-long browser with one fresh context + page per scenario
  (tracing on; screenshot + trace saved when the scenario fails).
- `storefront`, `admin`: page objects that find elements by accessible role, label and visible text,
  tolerant of accents ("O preco desta oferta…" and "O preço desta oferta…" alike).
- `texts`: the text helpers the page objects share (patterns, numbers read from the screen).

Nothing here imports the sandbox: the pages are reached through the profile's URLs only.
"""
