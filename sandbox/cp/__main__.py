"""`python -m sandbox.cp`: the Control Plane with its admin and WL-facing (mTLS) listeners."""
from __future__ import annotations

import sys
import time


def main() -> int:
    from ..db import wait_until_ready
    from ..serve import Listener, serve
    from ..settings import Settings
    from . import app, auth, db

    settings = Settings.from_env()
    wait_until_ready(settings)
    db.init(settings)
    auth.bootstrap_users()
    admin_app, wl_app = app.build_apps()
    if settings.cp_start_delay_seconds > 0:  # simulated boot time (a Grails CP running its Liquibase changelog)
        print(f"CP: simulated boot, listening in {settings.cp_start_delay_seconds:g}s", flush=True)
        time.sleep(settings.cp_start_delay_seconds)
    serve([Listener("cp-admin", admin_app, settings.cp_admin_port, tls=True),
           Listener("cp-mtls", wl_app, settings.cp_mtls_port, tls=True, require_client_cert=True)],
          settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
