-- A published evaluation round's results (通报) may be made public on the residents' portal as a
-- notice of the shared kind (issue 17): its period, objections and their handling come with it.
set local citus.multi_shard_modify_mode to 'sequential';

alter table public_notice drop constraint public_notice_subject;
alter table public_notice add constraint public_notice_subject
    check (subject_kind in ('award_programme', 'service_record', 'donation_disclosure', 'evaluation_round'));
