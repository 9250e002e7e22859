-- Reserved for issue 18's organisation-level tool rollups (filled in by its change).
SELECT 1;
