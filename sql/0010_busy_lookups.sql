-- 0010: indexes for lookups that the benchmark at the scale of a
-- département (bench/, issue 6) found reading far more rows than they keep.

-- Whether a person was already told of an item (a mark sheet published, a
-- homework set): through the item and the person, not through every
-- notification the person ever had (a parent of several children has
-- hundreds in a year).
DROP INDEX notification_item;
CREATE INDEX notification_item ON notification(item, person_id);
