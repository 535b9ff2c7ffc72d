/**
 * The parts of the AWS SDK the S3 store uses, as one module: the build ships it as a file of its own
 * (dist/vendor/s3sdk.js) that is loaded when the first S3 store makes a request, not when the extension activates.
 */
export {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
export { fromIni, fromNodeProviderChain } from '@aws-sdk/credential-providers';
export type {
  DeleteObjectsCommandOutput,
  GetObjectCommandOutput,
  HeadObjectCommandOutput,
  ListObjectsV2CommandOutput,
} from '@aws-sdk/client-s3';
