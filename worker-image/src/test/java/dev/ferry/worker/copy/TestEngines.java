package dev.ferry.worker.copy;

import dev.ferry.api.DestinationSpec;
import dev.ferry.api.MigrationMode;
import dev.ferry.api.OverwritePolicy;
import dev.ferry.api.VerifyMode;
import dev.ferry.api.WorkersSpec;
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

    static CopyEngine against(S3ProxyServer s3, String bucket, MigrationMode mode, OverwritePolicy overwrite,
                              VerifyMode verify, String bandwidthLimit, CopyHooks hooks) {
        DestinationSpec destination = new DestinationSpec();
        destination.bucket = bucket;
        destination.endpoints = List.of(s3.endpoint().toString());
        WorkersSpec workers = new WorkersSpec();
        workers.concurrency = 4;
        workers.partSize = PART_SIZE;
        workers.bandwidthLimit = bandwidthLimit;
        EndpointPool pool = S3ClientFactory.pool(destination,
                AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY), 4,
                EndpointPool.Settings.DEFAULT);
        CopyEngine engine = new CopyEngine(pool, destination, mode, overwrite, verify, workers, new ByteBudget(64L << 20));
        engine.hooks = hooks;
        return engine;
    }
}
