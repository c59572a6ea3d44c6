package dev.ferry.worker.copy;

import dev.ferry.api.DestinationSpec;
import dev.ferry.api.MarkMigrated;
import dev.ferry.api.MigrationMode;
import dev.ferry.api.OverwritePolicy;
import dev.ferry.api.PosixAttributes;
import dev.ferry.api.TasksSpec;
import dev.ferry.api.VerifyMode;
import dev.ferry.api.WorkersSpec;
import dev.ferry.worker.config.JobSettings;
import dev.ferry.worker.metrics.S3Metrics;
import dev.ferry.worker.s3.EndpointPool;
import dev.ferry.worker.s3.S3ClientFactory;
import dev.ferry.worker.testing.S3ProxyServer;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;

/** A copy engine as the worker builds it (same client settings), writing to one bucket of a test S3Proxy. */
final class TestEngines {
    /** Files above this are uploaded in parts (S3's smallest part size). */
    static final String PART_SIZE = "5Mi";

    private TestEngines() {
    }

    static CopyEngine against(S3ProxyServer s3, String bucket, CopyHooks hooks) {
        return against(s3, bucket, VerifyMode.Checksum, hooks);
    }

    static CopyEngine against(S3ProxyServer s3, String bucket, VerifyMode verify, CopyHooks hooks) {
        return against(s3, bucket, OverwritePolicy.Always, verify, hooks);
    }

    static CopyEngine against(S3ProxyServer s3, String bucket, OverwritePolicy overwrite, VerifyMode verify,
                              CopyHooks hooks) {
        return against(s3, bucket, MigrationMode.Copy, overwrite, verify, null, hooks);
    }

    /** An engine of a job (UID {@code jobUid}) that marks migrated files with {@code user.ferry.migrated}. */
    static CopyEngine marking(S3ProxyServer s3, String bucket, String jobUid) {
        DestinationSpec destination = destination(s3, bucket);
        WorkersSpec workers = workers(null);
        JobSettings settings = JobSettings.of(jobUid, destination, MigrationMode.Copy, OverwritePolicy.IfDifferent,
                VerifyMode.Checksum, workers, new TasksSpec()).withMarkMigrated(MarkMigrated.Xattr);
        return new CopyEngine(pool(s3, destination), settings, new ByteBudget(64L << 20));
    }

    static CopyEngine against(S3ProxyServer s3, String bucket, MigrationMode mode, OverwritePolicy overwrite,
                              VerifyMode verify, String bandwidthLimit, CopyHooks hooks) {
        DestinationSpec destination = destination(s3, bucket);
        CopyEngine engine = new CopyEngine(pool(s3, destination), destination, mode, overwrite, verify,
                workers(bandwidthLimit), new ByteBudget(64L << 20));
        engine.hooks = hooks;
        return engine;
    }

    /** An engine of {@code posixAttributes: Skip}: objects without mode, uid and gid. */
    static CopyEngine withoutPosixAttributes(S3ProxyServer s3, String bucket) {
        DestinationSpec destination = destination(s3, bucket);
        destination.posixAttributes = PosixAttributes.Skip;
        return new CopyEngine(pool(s3, destination), destination, MigrationMode.Copy, OverwritePolicy.IfDifferent,
                VerifyMode.Checksum, workers(null), new ByteBudget(64L << 20));
    }

    /** An engine whose every S3 call is counted in {@code metrics}. */
    static CopyEngine counted(S3ProxyServer s3, String bucket, OverwritePolicy overwrite, S3Metrics metrics) {
        DestinationSpec destination = destination(s3, bucket);
        EndpointPool pool = S3ClientFactory.pool(destination,
                AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY), 4,
                EndpointPool.Settings.DEFAULT, metrics);
        return new CopyEngine(pool, destination, MigrationMode.Copy, overwrite, VerifyMode.Checksum, workers(null),
                new ByteBudget(64L << 20));
    }

    private static DestinationSpec destination(S3ProxyServer s3, String bucket) {
        DestinationSpec destination = new DestinationSpec();
        destination.bucket = bucket;
        destination.endpoints = List.of(s3.endpoint().toString());
        return destination;
    }

    private static WorkersSpec workers(String bandwidthLimit) {
        WorkersSpec workers = new WorkersSpec();
        workers.concurrency = 4;
        workers.partSize = PART_SIZE;
        workers.bandwidthLimit = bandwidthLimit;
        return workers;
    }

    private static EndpointPool pool(S3ProxyServer s3, DestinationSpec destination) {
        return S3ClientFactory.pool(destination,
                AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY), 4,
                EndpointPool.Settings.DEFAULT);
    }
}
