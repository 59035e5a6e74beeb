//! The alarms the bundled template defines, read from the template itself so the sandbox
//! re-creates exactly these (moto's CloudFormation silently skips AWS::CloudWatch::Alarm).
use super::{Template, scalar};
use color_eyre::eyre::{Result, bail, eyre};
use serde_yaml_ng::Value;

/// A reference from an alarm to another resource of the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    /// `!Ref Logical` (a resource's physical id, or a parameter's value).
    Ref(String),
    /// `!GetAtt Logical.Attribute`
    GetAtt(String, String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Threshold {
    Literal(f64),
    Parameter(String),
}

/// One `AWS::CloudWatch::Alarm` resource of the template.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmSpec {
    pub logical_id: String,
    /// The part after `${AWS::StackName}` in `AlarmName: !Sub "${AWS::StackName}-suffix"`.
    pub name_suffix: String,
    pub description: Option<String>,
    pub namespace: String,
    pub metric: String,
    pub statistic: String,
    pub period_secs: i32,
    pub evaluation_periods: i32,
    pub threshold: Threshold,
    pub comparison: String,
    pub treat_missing_data: Option<String>,
    pub dimensions: Vec<(String, Reference)>,
    pub alarm_actions: Vec<Reference>,
    pub ok_actions: Vec<Reference>,
}

impl AlarmSpec {
    pub fn name_for(&self, stack: &str) -> String {
        format!("{stack}{}", self.name_suffix)
    }
}

/// `!Ref X`, `{Ref: X}`, `!GetAtt X.A`, `!GetAtt [X, A]`, `{"Fn::GetAtt": [X, A]}`.
fn reference(v: &Value) -> Option<Reference> {
    let split_getatt = |s: &str| {
        let (logical, attr) = s.split_once('.')?;
        Some(Reference::GetAtt(logical.to_string(), attr.to_string()))
    };
    let getatt_list = |v: &Value| {
        let seq = v.as_sequence()?;
        Some(Reference::GetAtt(
            scalar(seq.first()?)?,
            scalar(seq.get(1)?)?,
        ))
    };
    match v {
        Value::Tagged(tagged) if tagged.tag == "Ref" => {
            Some(Reference::Ref(scalar(&tagged.value)?))
        }
        Value::Tagged(tagged) if tagged.tag == "GetAtt" => match &tagged.value {
            Value::String(s) => split_getatt(s),
            other => getatt_list(other),
        },
        Value::Mapping(m) if m.len() == 1 => {
            if let Some(r) = m.get("Ref") {
                Some(Reference::Ref(scalar(r)?))
            } else {
                let g = m.get("Fn::GetAtt")?;
                match g {
                    Value::String(s) => split_getatt(s),
                    other => getatt_list(other),
                }
            }
        }
        _ => None,
    }
}

fn name_suffix(logical: &str, v: Option<&Value>) -> Result<String> {
    let sub = match v {
        Some(Value::Tagged(t)) if t.tag == "Sub" => scalar(&t.value),
        Some(Value::Mapping(m)) => m.get("Fn::Sub").and_then(scalar),
        _ => None,
    };
    sub.and_then(|s| s.strip_prefix("${AWS::StackName}").map(str::to_string))
        .ok_or_else(|| eyre!("alarm {logical}: AlarmName must be !Sub \"${{AWS::StackName}}-...\""))
}

/// All alarm definitions of the template, in template order.
pub fn alarm_specs(template: &Template) -> Result<Vec<AlarmSpec>> {
    let mut specs = Vec::new();
    for (logical, resource) in template.resources() {
        if resource.get("Type").and_then(scalar).as_deref() != Some("AWS::CloudWatch::Alarm") {
            continue;
        }
        let props = resource
            .get("Properties")
            .ok_or_else(|| eyre!("alarm {logical} has no Properties"))?;
        let text = |k: &str| props.get(k).and_then(scalar);
        let required =
            |k: &str| text(k).ok_or_else(|| eyre!("alarm {logical}: {k} must be a literal"));
        let int = |k: &str| -> Result<i32> {
            required(k)?
                .parse()
                .map_err(|_| eyre!("alarm {logical}: {k} must be an integer"))
        };
        let threshold = match props.get("Threshold") {
            Some(v) => match (scalar(v), reference(v)) {
                (Some(s), _) => Threshold::Literal(
                    s.parse()
                        .map_err(|_| eyre!("alarm {logical}: bad Threshold"))?,
                ),
                (None, Some(Reference::Ref(p))) => Threshold::Parameter(p),
                _ => bail!("alarm {logical}: Threshold must be a number or !Ref Parameter"),
            },
            None => bail!("alarm {logical} has no Threshold"),
        };
        let refs = |k: &str| -> Result<Vec<Reference>> {
            props
                .get(k)
                .and_then(Value::as_sequence)
                .map(|s| {
                    s.iter()
                        .map(|v| {
                            reference(v).ok_or_else(|| eyre!("alarm {logical}: {k} must hold !Ref"))
                        })
                        .collect()
                })
                .unwrap_or(Ok(Vec::new()))
        };
        let dimensions = props
            .get("Dimensions")
            .and_then(Value::as_sequence)
            .map(|dims| {
                dims.iter()
                    .map(|d| {
                        let name = d.get("Name").and_then(scalar);
                        let value = d.get("Value").and_then(reference);
                        name.zip(value)
                            .ok_or_else(|| eyre!("alarm {logical}: each dimension needs a Name and a !Ref/!GetAtt Value"))
                    })
                    .collect::<Result<Vec<_>>>()
            })
            .transpose()?
            .unwrap_or_default();
        specs.push(AlarmSpec {
            name_suffix: name_suffix(&logical, props.get("AlarmName"))?,
            description: text("AlarmDescription"),
            namespace: required("Namespace")?,
            metric: required("MetricName")?,
            statistic: required("Statistic")?,
            period_secs: int("Period")?,
            evaluation_periods: int("EvaluationPeriods")?,
            threshold,
            comparison: required("ComparisonOperator")?,
            treat_missing_data: text("TreatMissingData"),
            dimensions,
            alarm_actions: refs("AlarmActions")?,
            ok_actions: refs("OKActions")?,
            logical_id: logical,
        });
    }
    Ok(specs)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
Parameters:
  CpuHigh: {Type: Number, Default: 70}
Resources:
  Topic: {Type: AWS::SNS::Topic}
  CpuAlarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmName: !Sub "${AWS::StackName}-asg-cpu-high"
      Namespace: AWS/EC2
      MetricName: CPUUtilization
      Statistic: Average
      Period: 60
      EvaluationPeriods: 3
      Threshold: !Ref CpuHigh
      ComparisonOperator: GreaterThanThreshold
      Dimensions:
        - Name: AutoScalingGroupName
          Value: !Ref Asg
      AlarmActions: [!Ref Topic]
  Lb5xx:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmName: {"Fn::Sub": "${AWS::StackName}-alb-5xx"}
      Namespace: AWS/ApplicationELB
      MetricName: HTTPCode_ELB_5XX_Count
      Statistic: Sum
      Period: 60
      EvaluationPeriods: 1
      Threshold: 10
      ComparisonOperator: GreaterThanThreshold
      Dimensions:
        - Name: LoadBalancer
          Value: !GetAtt Alb.LoadBalancerFullName
        - Name: TargetGroup
          Value: {"Fn::GetAtt": [Tg, TargetGroupFullName]}
"#;

    #[test]
    fn alarm_specs_read_every_supported_form() {
        let specs = alarm_specs(&Template::parse(SAMPLE).unwrap()).unwrap();
        assert_eq!(specs.len(), 2);
        assert_eq!(specs[0].name_for("ha-web"), "ha-web-asg-cpu-high");
        assert_eq!(specs[0].threshold, Threshold::Parameter("CpuHigh".into()));
        assert_eq!(
            specs[0].dimensions,
            vec![("AutoScalingGroupName".into(), Reference::Ref("Asg".into()))]
        );
        assert_eq!(specs[0].alarm_actions, vec![Reference::Ref("Topic".into())]);
        assert_eq!(specs[1].threshold, Threshold::Literal(10.0));
        assert_eq!(
            specs[1].dimensions[1],
            (
                "TargetGroup".into(),
                Reference::GetAtt("Tg".into(), "TargetGroupFullName".into())
            )
        );
    }

    #[test]
    fn the_bundled_template_defines_the_alarms_on_call_needs() {
        let specs = alarm_specs(&Template::bundled().unwrap()).unwrap();
        let metrics: Vec<&str> = specs.iter().map(|s| s.metric.as_str()).collect();
        for needed in [
            "CPUUtilization",
            "UnHealthyHostCount",
            "TargetResponseTime",
            "FreeStorageSpace",
            "DatabaseConnections",
        ] {
            assert!(
                metrics.contains(&needed),
                "no alarm on {needed}: {metrics:?}"
            );
        }
        assert!(
            metrics.iter().any(|m| m.contains("5XX")),
            "no 5xx alarm: {metrics:?}"
        );
    }
}
