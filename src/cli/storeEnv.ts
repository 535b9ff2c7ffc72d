/** Environment variables the CLI reads store secrets and options from (never from the command line). */
export const STORE_ENV = {
  /** Password for ftp/ftps (or HTTP Basic for a WebHDFS gateway); replaces one written in the URI. */
  password: 'FLINK_CHECKPOINTS_PASSWORD',
  /** hdfs://: the NameNode's WebHDFS address (host:port or http(s)://host:port). */
  webHdfsAddress: 'FLINK_CHECKPOINTS_WEBHDFS_ADDRESS',
  /** WebHDFS delegation token. */
  delegationToken: 'FLINK_CHECKPOINTS_HDFS_DELEGATION_TOKEN',
  /** "1": accept self-signed FTPS certificates. */
  allowUntrustedCertificate: 'FLINK_CHECKPOINTS_ALLOW_UNTRUSTED_CERTIFICATE',
  /** s3://: "true" or "false" forces path-style addressing (default: on for an IP or localhost endpoint). */
  s3PathStyle: 'FLINK_CHECKPOINTS_S3_PATH_STYLE',
  /** s3://: Flink's s3.entropy.key, for a URI that holds it (the checkpoint directory as Flink is configured). */
  s3EntropyKey: 'FLINK_CHECKPOINTS_S3_ENTROPY_KEY',
} as const;

/** AWS variables that hold secrets: redacted from every message, although the SDK does not echo them. */
export const AWS_SECRET_ENV = ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;

/** Help text naming the environment variables, for command usage lines. */
export const STORE_ENV_HELP = `--conf <flink-conf.yaml|config.yaml> takes the checkpoint directory and the s3.* keys from a Flink configuration. Passwords come from ${STORE_ENV.password} (or the URI); hdfs:// takes its WebHDFS address from ${STORE_ENV.webHdfsAddress} (default port 9870); s3:// uses the AWS environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL); with entropy injection, give the checkpoint directory with its key and the key in ${STORE_ENV.s3EntropyKey} (or --conf).`;
