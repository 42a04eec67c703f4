/** An AMI id. */
export const AMI_ID = /^ami-[0-9a-f]{8,17}$/;
/** An AWS region name, e.g. eu-west-1. */
export const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
/** A KMS key id, alias or ARN. */
export const KMS_KEY = /^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+|alias\/[A-Za-z0-9/_-]+|[0-9a-f-]{36})$/;
/** Who a base image lookup by name may be pinned to. */
export const AWS_ACCOUNT_OR_ALIAS = /^(\d{12}|self|amazon|aws-marketplace)$/;
/** Launch permission targets: an account id, an organization ARN or an OU ARN. */
export const SHARE_TARGET =
  /^(\d{12}|arn:aws[a-z-]*:organizations::\d{12}:organization\/o-[a-z0-9]{10,32}|arn:aws[a-z-]*:organizations::\d{12}:ou\/o-[a-z0-9]{10,32}\/ou-[a-z0-9]{4,32}-[a-z0-9]{8,32})$/;
