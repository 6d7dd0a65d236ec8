"""Staff console (issue 4): review conversations, follow up on consultation requests, improve
the assistant. A Sanic blueprint mounted at /staff by web/app.py; see web/staff/README.md."""
from web.staff.views import bp

__all__ = ["bp"]
