//! CloudWatch writes the sandbox uses to fill what moto's CloudFormation skips: the template's
//! alarms (PutMetricAlarm) and metric data for sparklines (PutMetricData).
use super::Clients;
use super::error::{AwsError, aws_err};
use aws_sdk_cloudwatch::types::{
    ComparisonOperator, Dimension, MetricDatum, StandardUnit, Statistic,
};
use chrono::{DateTime, Utc};

/// An alarm with every reference resolved to a concrete value.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmDefinition {
    pub name: String,
    pub description: Option<String>,
    pub namespace: String,
    pub metric: String,
    pub statistic: String,
    pub period_secs: i32,
    pub evaluation_periods: i32,
    pub threshold: f64,
    pub comparison: String,
    pub treat_missing_data: Option<String>,
    pub dimensions: Vec<(String, String)>,
    pub alarm_actions: Vec<String>,
    pub ok_actions: Vec<String>,
}

/// One metric's data points.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricSeries {
    pub namespace: String,
    pub metric: String,
    pub dimensions: Vec<(String, String)>,
    pub unit: Option<String>,
    pub points: Vec<(DateTime<Utc>, f64)>,
}

fn dimensions(dims: &[(String, String)]) -> Vec<Dimension> {
    dims.iter()
        .map(|(name, value)| Dimension::builder().name(name).value(value).build())
        .collect()
}

/// PutMetricAlarm (creates or replaces the alarm of that name).
pub async fn put_alarm(clients: &Clients, alarm: &AlarmDefinition) -> Result<(), AwsError> {
    clients
        .cloudwatch
        .put_metric_alarm()
        .alarm_name(&alarm.name)
        .set_alarm_description(alarm.description.clone())
        .namespace(&alarm.namespace)
        .metric_name(&alarm.metric)
        .statistic(Statistic::from(alarm.statistic.as_str()))
        .period(alarm.period_secs)
        .evaluation_periods(alarm.evaluation_periods)
        .threshold(alarm.threshold)
        .comparison_operator(ComparisonOperator::from(alarm.comparison.as_str()))
        .set_treat_missing_data(alarm.treat_missing_data.clone())
        .set_dimensions(Some(dimensions(&alarm.dimensions)))
        .set_alarm_actions(Some(alarm.alarm_actions.clone()))
        .set_ok_actions(Some(alarm.ok_actions.clone()))
        .send()
        .await
        .map_err(aws_err("PutMetricAlarm"))?;
    Ok(())
}

/// PutMetricData for one series, in requests of at most 1,000 points (the API's limit).
pub async fn put_series(clients: &Clients, series: &MetricSeries) -> Result<(), AwsError> {
    let dims = dimensions(&series.dimensions);
    for chunk in series.points.chunks(1000) {
        let data = chunk.iter().map(|(at, value)| {
            MetricDatum::builder()
                .metric_name(&series.metric)
                .set_dimensions(Some(dims.clone()))
                .timestamp(aws_smithy_types::DateTime::from_secs(at.timestamp()))
                .value(*value)
                .set_unit(series.unit.as_deref().map(StandardUnit::from))
                .build()
        });
        clients
            .cloudwatch
            .put_metric_data()
            .namespace(&series.namespace)
            .set_metric_data(Some(data.collect()))
            .send()
            .await
            .map_err(aws_err("PutMetricData"))?;
    }
    Ok(())
}

/// The alarms of `names` that exist, with their dimensions and threshold (DescribeAlarms by
/// name, 100 names per call).
pub async fn existing_alarms(
    clients: &Clients,
    names: &[String],
) -> Result<std::collections::HashMap<String, (Vec<(String, String)>, Option<f64>)>, AwsError> {
    let mut found = std::collections::HashMap::new();
    for chunk in names.chunks(100) {
        let out = clients
            .cloudwatch
            .describe_alarms()
            .set_alarm_names(Some(chunk.to_vec()))
            .send()
            .await
            .map_err(aws_err("DescribeAlarms"))?;
        found.extend(out.metric_alarms().iter().filter_map(|a| {
            let dims = a
                .dimensions()
                .iter()
                .filter_map(|d| Some((d.name()?.to_string(), d.value()?.to_string())))
                .collect();
            Some((a.alarm_name()?.to_string(), (dims, a.threshold())))
        }));
    }
    Ok(found)
}

/// Time of the newest data point of a series since `since`, if any (so a top-up never writes
/// a minute twice: CloudWatch would add the two values together).
pub async fn latest_point(
    clients: &Clients,
    series: &MetricSeries,
    since: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, AwsError> {
    let out = clients
        .cloudwatch
        .get_metric_statistics()
        .namespace(&series.namespace)
        .metric_name(&series.metric)
        .set_dimensions(Some(dimensions(&series.dimensions)))
        .start_time(aws_smithy_types::DateTime::from_secs(since.timestamp()))
        .end_time(aws_smithy_types::DateTime::from_secs(
            Utc::now().timestamp() + 60,
        ))
        .period(60)
        .statistics(Statistic::SampleCount)
        .send()
        .await
        .map_err(aws_err("GetMetricStatistics"))?;
    Ok(out
        .datapoints()
        .iter()
        .filter_map(|d| d.timestamp().and_then(super::to_utc))
        .max())
}
