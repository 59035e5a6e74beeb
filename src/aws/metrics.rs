//! CloudWatch metric data behind the alarms: the recent history each alarm watches, for the
//! sparklines of the alarms panel, in as few GetMetricData calls as the API allows.
use super::error::{AwsError, aws_err};
use super::{Clients, to_utc};
use crate::domain::Alarm;
use aws_sdk_cloudwatch::types::builders::MetricDataQueryBuilder;
use aws_sdk_cloudwatch::types::{
    Dimension, Metric, MetricDataQuery, MetricStat, ScanBy, StatusCode,
};
use chrono::{DateTime, Duration, DurationRound, Utc};
use futures::future::try_join_all;
use std::collections::BTreeMap;

/// GetMetricData accepts at most this many MetricDataQuery structures per request.
pub const QUERIES_PER_CALL: usize = 500;

/// One value per minute: the sparkline's resolution, whatever the alarm's own period.
const PERIOD_SECS: i32 = 60;

/// The metric of each alarm over the whole minutes of `window` before `now`, oldest point
/// first, keyed by alarm name.
///
/// One MetricDataQuery per alarm (ids `m0`..`mN`, the alarm's namespace, metric, dimensions and
/// statistic at a 60 s period), 500 queries per GetMetricData request, requests concurrent and
/// each paginated by NextToken: ⌈alarms / 500⌉ calls for an hour of history, never one per alarm.
///
/// Alarms without a namespace, metric or (standard) statistic are not queried and get no key:
/// a metric-math or percentile alarm has no plain series to show, and showing another statistic
/// would be a fake sparkline. A queried alarm without data gets an empty series. A series AWS
/// could not compute (status `Forbidden` / `InternalError`) is left out, with a warning.
pub async fn alarm_history(
    clients: &Clients,
    alarms: &[Alarm],
    window: std::time::Duration,
    now: DateTime<Utc>,
) -> Result<BTreeMap<String, Vec<(DateTime<Utc>, f64)>>, AwsError> {
    let queries: Vec<(String, MetricDataQuery)> = alarms
        .iter()
        .filter_map(query_for)
        .enumerate()
        .map(|(i, (name, query))| (name, query.id(format!("m{i}")).build()))
        .collect();
    if queries.is_empty() {
        return Ok(BTreeMap::new());
    }
    // Whole minutes, ending where the current minute starts: every poll asks for the same
    // buckets, and the still-filling current minute (a Sum that looks like a sudden dip) is
    // left out.
    let end = now.duration_trunc(Duration::minutes(1)).unwrap_or(now);
    let start = end - Duration::from_std(window).unwrap_or(Duration::hours(1));
    let pages = try_join_all(
        queries
            .chunks(QUERIES_PER_CALL)
            .map(|chunk| fetch_chunk(clients, chunk, start, end)),
    )
    .await?;

    let id_to_name: BTreeMap<String, &str> = queries
        .iter()
        .map(|(name, q)| (q.id().unwrap_or_default().to_string(), name.as_str()))
        .collect();
    let mut history: BTreeMap<String, Vec<(DateTime<Utc>, f64)>> = queries
        .iter()
        .map(|(name, _)| (name.clone(), Vec::new()))
        .collect();
    for (id, points, failed) in pages.into_iter().flatten() {
        let Some(name) = id_to_name.get(&id) else {
            continue;
        };
        if let Some(status) = failed {
            tracing::warn!(alarm = *name, %status, "no metric history for this alarm");
            history.remove(*name);
        } else if let Some(series) = history.get_mut(*name) {
            series.extend(points);
        }
    }
    for series in history.values_mut() {
        // Pages continue series in time order, but never trust that for a chart axis.
        series.sort_by_key(|(t, _)| *t);
        series.dedup_by_key(|(t, _)| *t);
    }
    Ok(history)
}

/// The query for one alarm's metric, without its id; `None` if it has no plain metric.
fn query_for(alarm: &Alarm) -> Option<(String, MetricDataQueryBuilder)> {
    let (namespace, metric, statistic) = (
        alarm.namespace.as_deref()?,
        alarm.metric.as_deref()?,
        alarm.statistic.as_deref()?,
    );
    let dimensions = alarm
        .dimensions
        .iter()
        .map(|(k, v)| Dimension::builder().name(k).value(v).build())
        .collect();
    let stat = MetricStat::builder()
        .metric(
            Metric::builder()
                .namespace(namespace)
                .metric_name(metric)
                .set_dimensions(Some(dimensions))
                .build(),
        )
        .period(PERIOD_SECS)
        .stat(statistic)
        .build();
    Some((
        alarm.name.clone(),
        MetricDataQuery::builder()
            .metric_stat(stat)
            .return_data(true),
    ))
}

/// (query id, points, failure status) per result of one request of ≤ 500 queries, all pages.
type Series = (String, Vec<(DateTime<Utc>, f64)>, Option<String>);

async fn fetch_chunk(
    clients: &Clients,
    chunk: &[(String, MetricDataQuery)],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<Vec<Series>, AwsError> {
    let mut pages = clients
        .cloudwatch
        .get_metric_data()
        .set_metric_data_queries(Some(chunk.iter().map(|(_, q)| q.clone()).collect()))
        .start_time(smithy_time(start))
        .end_time(smithy_time(end))
        .scan_by(ScanBy::TimestampAscending)
        .into_paginator()
        .send();
    let mut series = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(aws_err("GetMetricData"))?;
        for result in page.metric_data_results() {
            let failed = match result.status_code() {
                Some(StatusCode::Forbidden) | Some(StatusCode::InternalError) => {
                    result.status_code().map(|s| s.as_str().to_string())
                }
                _ => None,
            };
            let points = result
                .timestamps()
                .iter()
                .zip(result.values())
                .filter_map(|(t, v)| Some((to_utc(t)?, *v)))
                .collect();
            series.push((result.id().unwrap_or_default().to_string(), points, failed));
        }
    }
    Ok(series)
}

fn smithy_time(t: DateTime<Utc>) -> aws_smithy_types::DateTime {
    aws_smithy_types::DateTime::from_millis(t.timestamp_millis())
}

/// 5xx responses of a load balancer (`lb_dimension`: its CloudWatch dimension value), from the
/// ALB itself and from its targets, summed over the whole minutes of `window` before `now`.
/// Both in one GetMetricData; a metric without data counts as 0 (ALB publishes no zeros).
pub async fn load_balancer_5xx(
    clients: &Clients,
    lb_dimension: &str,
    window: std::time::Duration,
    now: DateTime<Utc>,
) -> Result<f64, AwsError> {
    let queries: Vec<(String, MetricDataQuery)> =
        ["HTTPCode_ELB_5XX_Count", "HTTPCode_Target_5XX_Count"]
            .iter()
            .enumerate()
            .map(|(i, metric)| {
                let stat = MetricStat::builder()
                    .metric(
                        Metric::builder()
                            .namespace("AWS/ApplicationELB")
                            .metric_name(*metric)
                            .dimensions(
                                Dimension::builder()
                                    .name("LoadBalancer")
                                    .value(lb_dimension)
                                    .build(),
                            )
                            .build(),
                    )
                    .period(PERIOD_SECS)
                    .stat("Sum")
                    .build();
                let query = MetricDataQuery::builder()
                    .id(format!("e{i}"))
                    .metric_stat(stat)
                    .return_data(true)
                    .build();
                (metric.to_string(), query)
            })
            .collect();
    let end = now.duration_trunc(Duration::minutes(1)).unwrap_or(now);
    let start = end - Duration::from_std(window).unwrap_or(Duration::minutes(5));
    let series = fetch_chunk(clients, &queries, start, end).await?;
    Ok(series
        .iter()
        .flat_map(|(_, points, _)| points.iter().map(|(_, v)| *v))
        .sum())
}
