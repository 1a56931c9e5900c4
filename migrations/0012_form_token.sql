-- One-time form tokens: the first post of a create form claims its token, so a double click
-- creates one record and the second post lands on it. Kept a day, then swept.
create table form_token (
    tenant_id bigint not null references tenant (id),
    token text not null constraint form_token_format check (token ~ '^[0-9a-f]{32,64}$'),
    account_id bigint,
    location text,
    created_at timestamptz not null default now(),
    primary key (tenant_id, token)
);
create index form_token_age on form_token (created_at);
alter table form_token enable row level security;
alter table form_token force row level security;
create policy tenant_isolation on form_token using (tenant_id = (select app_tenant()))
    with check (tenant_id = (select app_tenant()));
grant select, insert, update on form_token to cedu_app;
