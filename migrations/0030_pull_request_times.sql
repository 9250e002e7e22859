-- Reserved for issue 18's pull-request time histograms (filled in by its change).
SELECT 1;
