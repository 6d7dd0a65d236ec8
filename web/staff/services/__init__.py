"""The console's service layer, between the routes and the queries: one class per area, made
for one request (its databases, staff member and address), whose methods do a step's blocking
work (the queries of both databases, building an export) in one call off the event loop
(base.blocking, the only place that leaves it). A route reads the request, awaits a service,
and renders; a service raises BadInput (400) or Missing (404) for the console to answer."""
