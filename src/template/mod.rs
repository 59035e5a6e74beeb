//! The bundled CloudFormation template and its presets: parameter definitions, validation of
//! user-supplied values before any call, and the alarm definitions the sandbox re-creates.
pub mod alarms;

use color_eyre::eyre::{Result, WrapErr, bail, eyre};
use serde_yaml_ng::Value;
use std::collections::BTreeMap;

/// The template deployed by `opsdeck deploy`, compiled in so the binary works anywhere.
pub const TEMPLATE_BODY: &str = include_str!("../../stack/ha-web.yaml");

/// Parameter presets from `stack/params/`, compiled in.
pub const PRESETS: &[(&str, &str)] = &[
    (
        "free-tier",
        include_str!("../../stack/params/free-tier.json"),
    ),
    (
        "production",
        include_str!("../../stack/params/production.json"),
    ),
    ("full", include_str!("../../stack/params/full.json")),
    ("sandbox", include_str!("../../stack/params/sandbox.json")),
];

/// A template parameter and its constraints, as declared in the template.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParamSpec {
    pub name: String,
    pub param_type: String,
    pub default: Option<String>,
    pub description: Option<String>,
    pub allowed_values: Vec<String>,
    pub allowed_pattern: Option<String>,
    pub min_value: Option<f64>,
    pub max_value: Option<f64>,
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    pub constraint_description: Option<String>,
}

/// The parsed bundled template.
#[derive(Debug, Clone)]
pub struct Template {
    pub params: BTreeMap<String, ParamSpec>,
    root: Value,
}

/// Scalar YAML (string, number, bool) as the string CloudFormation would see.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn number(v: Option<&Value>) -> Option<f64> {
    v.and_then(scalar).and_then(|s| s.parse().ok())
}

impl Template {
    /// Parses the bundled template (a build-time constant, tested, so failure is a bug).
    pub fn bundled() -> Result<Template> {
        Template::parse(TEMPLATE_BODY)
    }

    pub fn parse(body: &str) -> Result<Template> {
        let root: Value =
            serde_yaml_ng::from_str(body).wrap_err("the template is not valid YAML")?;
        let mut params = BTreeMap::new();
        if let Some(Value::Mapping(map)) = root.get("Parameters") {
            for (name, spec) in map {
                let name = scalar(name).ok_or_else(|| eyre!("parameter with a non-string name"))?;
                let get = |k: &str| spec.get(k).and_then(scalar);
                params.insert(
                    name.clone(),
                    ParamSpec {
                        name,
                        param_type: get("Type").unwrap_or_else(|| "String".into()),
                        default: get("Default"),
                        description: get("Description"),
                        allowed_values: spec
                            .get("AllowedValues")
                            .and_then(Value::as_sequence)
                            .map(|s| s.iter().filter_map(scalar).collect())
                            .unwrap_or_default(),
                        allowed_pattern: get("AllowedPattern"),
                        min_value: number(spec.get("MinValue")),
                        max_value: number(spec.get("MaxValue")),
                        min_length: number(spec.get("MinLength")).map(|n| n as usize),
                        max_length: number(spec.get("MaxLength")).map(|n| n as usize),
                        constraint_description: get("ConstraintDescription"),
                    },
                );
            }
        }
        Ok(Template { params, root })
    }

    /// The template's `Resources` section.
    pub fn resources(&self) -> impl Iterator<Item = (String, &Value)> {
        self.root
            .get("Resources")
            .and_then(Value::as_mapping)
            .into_iter()
            .flat_map(|m| m.iter())
            .filter_map(|(k, v)| Some((scalar(k)?, v)))
    }

    /// Checks one value against the parameter's declared constraints.
    pub fn validate_value(&self, name: &str, value: &str) -> Result<()> {
        let Some(spec) = self.params.get(name) else {
            let known: Vec<&str> = self.params.keys().map(String::as_str).collect();
            bail!(
                "unknown parameter {name:?}. The template's parameters are: {}",
                known.join(", ")
            );
        };
        let why = |detail: String| -> color_eyre::eyre::Report {
            let extra = spec
                .constraint_description
                .as_deref()
                .map(|c| format!(" ({c})"))
                .unwrap_or_default();
            eyre!("invalid value {value:?} for parameter {name}: {detail}{extra}")
        };
        if !spec.allowed_values.is_empty() && !spec.allowed_values.iter().any(|v| v == value) {
            return Err(why(format!(
                "allowed values are {}",
                spec.allowed_values.join(", ")
            )));
        }
        if spec.param_type == "Number" {
            let n: f64 = value.parse().map_err(|_| why("expected a number".into()))?;
            if let Some(min) = spec.min_value.filter(|min| n < *min) {
                return Err(why(format!("must be at least {min}")));
            }
            if let Some(max) = spec.max_value.filter(|max| n > *max) {
                return Err(why(format!("must be at most {max}")));
            }
        }
        if let Some(min) = spec.min_length.filter(|min| value.chars().count() < *min) {
            return Err(why(format!("must be at least {min} characters")));
        }
        if let Some(max) = spec.max_length.filter(|max| value.chars().count() > *max) {
            return Err(why(format!("must be at most {max} characters")));
        }
        if let Some(pattern) = &spec.allowed_pattern {
            // CloudFormation anchors AllowedPattern to the whole value.
            let re = regex::Regex::new(&format!("^(?:{pattern})$"))
                .wrap_err_with(|| format!("parameter {name} has an invalid AllowedPattern"))?;
            if !re.is_match(value) {
                return Err(why(format!("must match {pattern}")));
            }
        }
        Ok(())
    }

    /// The effective value of a parameter: given, else its default.
    pub fn effective<'a>(
        &'a self,
        name: &str,
        given: &'a BTreeMap<String, String>,
    ) -> Option<&'a str> {
        given
            .get(name)
            .map(String::as_str)
            .or_else(|| self.params.get(name)?.default.as_deref())
    }
}

/// A preset's parameters by name (`free-tier`, `production`, `full`, `sandbox`).
pub fn preset(name: &str) -> Result<BTreeMap<String, String>> {
    let Some((_, body)) = PRESETS.iter().find(|(n, _)| *n == name) else {
        let names: Vec<&str> = PRESETS.iter().map(|(n, _)| *n).collect();
        bail!(
            "unknown preset {name:?}. Available presets: {}",
            names.join(", ")
        );
    };
    serde_json::from_str(body)
        .wrap_err_with(|| format!("preset {name} is not a flat JSON object of strings"))
}

/// Parses `KEY=VALUE` arguments (values may contain `=`).
pub fn parse_param_args(args: &[String]) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for arg in args {
        let Some((key, value)) = arg.split_once('=') else {
            bail!("--param {arg:?} is not KEY=VALUE (for example --param DesiredCapacity=3)");
        };
        let key = key.trim();
        if key.is_empty() {
            bail!("--param {arg:?} has an empty name (for example --param DesiredCapacity=3)");
        }
        if out.insert(key.to_string(), value.to_string()).is_some() {
            bail!("--param {key} is given twice");
        }
    }
    Ok(out)
}

/// Rules across parameters that CloudFormation would only catch mid-deploy (the ASG fails).
pub fn validate_capacity(template: &Template, values: &BTreeMap<String, String>) -> Result<()> {
    let get = |n: &str| {
        template
            .effective(n, values)
            .and_then(|v| v.parse::<i64>().ok())
    };
    if let (Some(min), Some(desired), Some(max)) =
        (get("MinSize"), get("DesiredCapacity"), get("MaxSize"))
    {
        if min > max {
            bail!("MinSize {min} is greater than MaxSize {max}: lower MinSize or raise MaxSize");
        }
        if desired < min || desired > max {
            bail!("DesiredCapacity {desired} must be within MinSize..MaxSize ({min}..{max})");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_fits_in_a_direct_api_call() {
        // CreateChangeSet takes TemplateBody up to 51,200 bytes; beyond that it needs S3.
        assert!(
            TEMPLATE_BODY.len() < 51_200,
            "{} bytes",
            TEMPLATE_BODY.len()
        );
    }

    #[test]
    fn template_avoids_syntax_the_emulator_cannot_parse() {
        // moto rejects short-form GetAtt of dotted attributes and ${X.A.B} in Sub, which AWS
        // accepts; the long form {"Fn::GetAtt": [X, A.B]} works in both.
        let short_dotted = regex::Regex::new(r"!GetAtt\s+\w+\.\w+\.\w+").unwrap();
        let short_list = regex::Regex::new(r"!GetAtt\s*\[\s*\w+\s*,\s*\w+\.\w+").unwrap();
        let sub_dotted = regex::Regex::new(r"\$\{\w+\.\w+\.\w+\}").unwrap();
        for (n, line) in TEMPLATE_BODY.lines().enumerate() {
            for re in [&short_dotted, &short_list, &sub_dotted] {
                assert!(!re.is_match(line), "line {}: {line}", n + 1);
            }
        }
    }

    #[test]
    fn every_preset_is_valid_for_the_template() {
        let t = Template::bundled().unwrap();
        for (name, _) in PRESETS {
            let values = preset(name).unwrap();
            for (k, v) in &values {
                t.validate_value(k, v)
                    .unwrap_or_else(|e| panic!("preset {name}: {e}"));
            }
            validate_capacity(&t, &values).unwrap_or_else(|e| panic!("preset {name}: {e}"));
        }
    }

    #[test]
    fn values_are_checked_against_the_declared_constraints() {
        let t = Template::bundled().unwrap();
        assert!(t.validate_value("DbEngine", "postgres").is_ok());
        let e = t
            .validate_value("DbEngine", "oracle")
            .unwrap_err()
            .to_string();
        assert!(e.contains("allowed values are mysql, postgres"), "{e}");
        assert!(
            t.validate_value("DbAllocatedStorage", "10").is_err(),
            "below MinValue"
        );
        assert!(
            t.validate_value("DbAllocatedStorage", "twenty").is_err(),
            "not a number"
        );
        assert!(t.validate_value("InstanceType", "t3.micro").is_ok());
        assert!(
            t.validate_value("InstanceType", "huge").is_err(),
            "AllowedPattern"
        );
        let e = t.validate_value("Nope", "1").unwrap_err().to_string();
        assert!(e.contains("unknown parameter"), "{e}");
    }

    #[test]
    fn param_args_parse_and_reject_malformed() {
        let p = parse_param_args(&["A=1".into(), "B=x=y".into()]).unwrap();
        assert_eq!(p["B"], "x=y");
        assert!(parse_param_args(&["A".into()]).is_err());
        assert!(parse_param_args(&["=1".into()]).is_err());
        assert!(parse_param_args(&["A=1".into(), "A=2".into()]).is_err());
    }

    #[test]
    fn capacity_must_be_within_min_and_max() {
        let t = Template::bundled().unwrap();
        let v = |d: &str| BTreeMap::from([("DesiredCapacity".to_string(), d.to_string())]);
        assert!(validate_capacity(&t, &v("4")).is_ok());
        assert!(
            validate_capacity(&t, &v("7"))
                .unwrap_err()
                .to_string()
                .contains("2..6")
        );
        assert!(validate_capacity(&t, &v("1")).is_err());
    }
}
