-- The catalogue marks an item new (or gone) by looking up the same filer's item of that name in
-- the other year: one index probe per row shown instead of hashing the whole other year.
create index resource_item_name on resource_item (tenant_id, submission_id, lower(name));
