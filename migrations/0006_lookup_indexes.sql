-- Indexes the benchmark showed missing (tenant_id first, as everywhere): a unit's submissions
-- across years, and a town's survey answers, both read by the computed indicators.
create index submission_org_unit on submission (tenant_id, org_unit_id);
create index submission_member_unit on submission (tenant_id, member_unit_id);
create index survey_response_unit on survey_response (tenant_id, org_unit_id);
