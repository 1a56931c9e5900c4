-- The residents' side at the province-scale generator's size (issue 15's benchmark pages):
-- the public calendar started from every session of the month in the district (4,142 for a
-- generated district, each joined to its activity to find the 4 % published: 13–18 ms); it now
-- starts from the published activities whose dates meet the month (2.5–3.5 ms). An activity's
-- sign-ups for its staff were read by scanning the district's sign-ups.
create index activity_public on activity (tenant_id, ends_on) where public;
create index signup_activity on signup (tenant_id, activity_id, session_id);
