"""The console's routes, one module per area. Handlers stay thin: they read the request, await
a service (web/staff/services), which does the blocking work off the event loop, and render or
redirect."""

from web.staff.routes import (
    audit,
    conversations,
    dashboard,
    exports,
    improve,
    requests,
    review,
    sign_in,
)

BLUEPRINTS = (
    sign_in.bp,
    dashboard.bp,
    conversations.bp,
    review.bp,
    requests.bp,
    improve.bp,
    exports.bp,
    audit.bp,
)
