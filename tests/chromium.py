"""The Debian Chromium the browser tests drive through Playwright (never `playwright install`:
these machines reach package registries only), and the flags that keep it quiet and headless
as root in CI."""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
