"""The console's routes, one module per area. Handlers stay thin: they read the request, await
queries (clinic_queries, review_queries, tracker_store) through context.off_loop, and render."""

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
