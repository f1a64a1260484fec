// One published figure: what bench/results.json holds, one entry per name below.
export interface Figure {
  name: FigureName;
  value: number | null;
  target: number;
  unit: string;
  pass: boolean;
}

export const FIGURE_NAMES = [
  'quota_use_ratio',
  'rate_limit_replies',
  'status_calls_per_post_polling',
  'status_calls_per_post_webhooks',
  'upload_peak_rss_mib',
  'upload_throughput_ratio',
  'core_posts_per_second',
  'bytes_per_tracked_job',
  'campaign_100k_rows_per_second',
  'campaign_100k_peak_rss_mib',
  'engine_posts_per_second_pg_1',
  'engine_posts_per_second_pg_2',
  'engine_posts_per_second_pg_4',
  'engine_posts_per_second_pglite',
  'engine_to_queue_ratio',
  'engine_sql_round_trips_per_post',
  'engine_db_bytes_per_tracked_post',
  'engine_pglite_reopen_ms',
  'tokpipe_post_ms_embedded_first',
  'tokpipe_post_ms_embedded',
  'tokpipe_post_ms_client',
  'tokpipe_post_peak_rss_mib_embedded',
  'tokpipe_post_peak_rss_mib_client',
  'serve_webhook_delivery_p50_ms',
  'serve_webhook_delivery_p99_ms',
  'serve_events_per_second_10_subscribers',
  'serve_create_post_requests_per_second',
] as const;

export type FigureName = (typeof FIGURE_NAMES)[number];
