//! STS: who the credentials belong to, for the audit log.
use super::Clients;
use super::error::{AwsError, aws_err};
use crate::domain::CallerIdentity;

pub async fn caller_identity(clients: &Clients) -> Result<CallerIdentity, AwsError> {
    let out = clients
        .sts
        .get_caller_identity()
        .send()
        .await
        .map_err(aws_err("GetCallerIdentity"))?;
    Ok(CallerIdentity {
        arn: out.arn().map(str::to_string),
        account: out.account().map(str::to_string),
    })
}
