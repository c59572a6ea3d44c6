package dev.ferry.worker.s3;

import dev.ferry.api.DestinationSpec;
import dev.ferry.api.Ferry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.SecretKeyReference;
import dev.ferry.api.runtime.EndpointTrust;
import dev.ferry.api.runtime.SecretValues;
import dev.ferry.worker.metrics.S3Metrics;
import dev.ferry.worker.task.RetryableTaskException;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.TrustManager;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * Builds the S3 client of a job from its destination and its credentials Secret (or, without one, the worker's
 * own identity: {@link #fromWorkerIdentity}). Integrity comes
 * from Content-MD5 on every PUT and part, so the SDK's own checksums are limited to what a request
 * requires: S3-compatible stores (S3Proxy, older gateways) refuse the default trailing checksums.
 */
public final class S3ClientFactory {
    /** Connections beyond the upload concurrency: HEADs and the completion of multipart uploads. */
    static final int SPARE_CONNECTIONS = 8;
    /** Only a name for AWS itself (no endpoint given): the SDK resolves the real one per region. */
    static final URI AWS_DEFAULT = URI.create("https://s3.amazonaws.com");

    private S3ClientFactory() {
    }

    /**
     * The pool of the job's gateways, one client each (see {@link EndpointPool}); with one endpoint
     * (or none: AWS itself) a pass-through over a single client.
     */
    public static EndpointPool forJob(KubernetesClient kubernetes, MigrationJob job) {
        return forJob(kubernetes, job, null);
    }

    /** As {@link #forJob(KubernetesClient, MigrationJob)} with credentials given; null: read the Secret. */
    public static EndpointPool forJob(KubernetesClient kubernetes, MigrationJob job, AwsCredentials given) {
        return forJob(kubernetes, job, given, S3Metrics.NONE);
    }

    /** As above, timing every S3 call and watching every endpoint's circuit in {@code metrics}. */
    public static EndpointPool forJob(KubernetesClient kubernetes, MigrationJob job, AwsCredentials given,
                                      S3Metrics metrics) {
        DestinationSpec destination = job.getSpec().destination;
        AwsCredentialsProvider credentials = given != null ? StaticCredentialsProvider.create(given)
                : destination.credentialsSecret == null || destination.credentialsSecret.isBlank() ? fromWorkerIdentity()
                : StaticCredentialsProvider.create(
                        credentials(kubernetes, job.getMetadata().getNamespace(), destination.credentialsSecret));
        int concurrency = job.getSpec().workersOrDefaults().concurrencyOrDefault();
        TrustManager[] trust = trust(kubernetes, job, System.getenv(Ferry.ENDPOINT_CA_ENV));
        return pool(destination, credentials, trust, concurrency, EndpointPool.Settings.DEFAULT, metrics);
    }

    /**
     * The CAs the job's endpoints are trusted by: null (the JVM's default CAs) without
     * {@code spec.destination.endpointCA}, else those and the bundle's — given as {@code pem} by the Deployment
     * ({@link Ferry#ENDPOINT_CA_ENV}, resolved by the kubelet like the credentials), or read from the Secret by
     * a worker started outside a Deployment.
     */
    static TrustManager[] trust(KubernetesClient kubernetes, MigrationJob job, String pem) {
        SecretKeyReference ref = job.getSpec().destination.endpointCA;
        if (ref == null) {
            return null;
        }
        String namespace = job.getMetadata().getNamespace();
        String bundle = pem;
        if (bundle == null || bundle.isBlank()) {
            Secret secret = kubernetes.secrets().inNamespace(namespace).withName(ref.name).get();
            bundle = secret == null ? null : SecretValues.value(secret, ref.keyOrDefault());
            if (bundle == null) {
                throw new RetryableTaskException("spec.destination.endpointCA: Secret " + namespace + "/" + ref.name
                        + " or its key " + ref.keyOrDefault() + " not found");
            }
        }
        try {
            return EndpointTrust.trustManagers(EndpointTrust.certificates(bundle));
        } catch (IllegalArgumentException e) {
            throw new RetryableTaskException("spec.destination.endpointCA: Secret " + namespace + "/" + ref.name
                    + " key " + ref.keyOrDefault() + ": " + e.getMessage());
        }
    }

    public static EndpointPool pool(DestinationSpec destination, AwsCredentials credentials, int concurrency,
                                    EndpointPool.Settings settings) {
        return pool(destination, credentials, concurrency, settings, S3Metrics.NONE);
    }

    public static EndpointPool pool(DestinationSpec destination, AwsCredentials credentials, int concurrency,
                                    EndpointPool.Settings settings, S3Metrics metrics) {
        return pool(destination, credentials, null, concurrency, settings, metrics);
    }

    /** As above, over TLS trusting {@code trust} (null: the JVM's default CAs). */
    public static EndpointPool pool(DestinationSpec destination, AwsCredentials credentials, TrustManager[] trust,
                                    int concurrency, EndpointPool.Settings settings, S3Metrics metrics) {
        return pool(destination, StaticCredentialsProvider.create(credentials), trust, concurrency, settings, metrics);
    }

    /** As above, with credentials that a provider resolves (and renews) per request. */
    public static EndpointPool pool(DestinationSpec destination, AwsCredentialsProvider credentials,
                                    TrustManager[] trust, int concurrency, EndpointPool.Settings settings,
                                    S3Metrics metrics) {
        List<String> endpoints = destination.endpoints;
        EndpointPool pool;
        if (endpoints == null || endpoints.isEmpty()) {
            pool = EndpointPool.of(AWS_DEFAULT, new S3Gateway(builder(destination, credentials, null, false,
                    metrics.interceptor(AWS_DEFAULT)).httpClientBuilder(httpClient(concurrency, trust)).build()));
        } else {
            boolean several = endpoints.size() > 1;
            pool = new EndpointPool(endpoints.stream().map(URI::create).toList(),
                    uri -> gateway(destination, credentials, trust, concurrency, uri, several, metrics),
                    destination.bucket, settings);
        }
        for (URI uri : pool.endpoints()) {
            metrics.endpointUp(uri, () -> pool.healthy(uri));
        }
        return pool;
    }

    static S3Gateway gateway(DestinationSpec destination, AwsCredentials credentials, int concurrency, URI endpoint,
                             boolean oneOfSeveral) {
        return gateway(destination, StaticCredentialsProvider.create(credentials), null, concurrency, endpoint,
                oneOfSeveral, S3Metrics.NONE);
    }

    /**
     * The gateway at {@code endpoint}: its client, and with path-style addressing the requests it signs itself
     * ({@link SignedPut}, {@link SignedHead}, {@link SignedList}) sharing the client's connections and retry strategy
     * for the single PUTs, the parts, the HEADs and the listings; all timed in {@code metrics}.
     */
    static S3Gateway gateway(DestinationSpec destination, AwsCredentialsProvider credentials, TrustManager[] trust,
                             int concurrency, URI endpoint, boolean oneOfSeveral, S3Metrics metrics) {
        SdkHttpClient http = httpClient(concurrency, trust).build();
        S3Client client = builder(destination, credentials, endpoint, oneOfSeveral, metrics.interceptor(endpoint))
                .httpClient(http).build();
        SignedExchange signed = destination.usePathStyle()
                ? new SignedExchange(endpoint, region(destination), credentials, http, retryStrategy(oneOfSeveral))
                : null;
        return new S3Gateway(client, signed, http, metrics.timers(endpoint));
    }

    /**
     * The client of one endpoint (null: AWS, resolved from the region). Of several gateways, a client retries a failure once on its own
     * (a stale pooled connection) and then leaves it to the pool, which sends it to another gateway
     * at once instead of backing off against a dead one.
     */
    static S3Client create(DestinationSpec destination, AwsCredentials credentials, int concurrency,
                           URI endpoint, boolean oneOfSeveral) {
        return create(destination, StaticCredentialsProvider.create(credentials), concurrency, endpoint, oneOfSeveral,
                S3Metrics.NONE.interceptor(endpoint == null ? AWS_DEFAULT : endpoint));
    }

    private static S3Client create(DestinationSpec destination, AwsCredentialsProvider credentials, int concurrency,
                                   URI endpoint, boolean oneOfSeveral, ExecutionInterceptor timer) {
        return builder(destination, credentials, endpoint, oneOfSeveral, timer)
                .httpClientBuilder(httpClient(concurrency, null)).build();
    }

    private static ApacheHttpClient.Builder httpClient(int concurrency, TrustManager[] trust) {
        ApacheHttpClient.Builder builder = ApacheHttpClient.builder();
        if (trust != null) {
            builder.tlsTrustManagersProvider(() -> trust);
        }
        return builder
                // one connection per upload in flight (files and parts together), plus spare ones
                .maxConnections(concurrency + SPARE_CONNECTIONS)
                .connectionTimeout(Duration.ofSeconds(10))
                .socketTimeout(Duration.ofSeconds(120))
                // No "Expect: 100-continue" round trip before every PUT and part: Content-MD5 and the
                // signature already make a rejected request cheap, and small files are most of the work.
                .expectContinueEnabled(false);
    }

    private static S3ClientBuilder builder(DestinationSpec destination, AwsCredentialsProvider credentials, URI endpoint,
                                           boolean oneOfSeveral, ExecutionInterceptor timer) {
        S3ClientBuilder builder = S3Client.builder()
                .credentialsProvider(credentials)
                .region(Region.of(region(destination)))
                .forcePathStyle(destination.usePathStyle())
                // Whole-payload signing instead of aws-chunked streaming: the body is in memory anyway
                // (files and parts are read into bounded buffers), and decoding aws-chunked bodies was
                // S3Proxy's hottest path in profiles (ChunkedInputStream.read, byte by byte).
                .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        builder.overrideConfiguration(o -> o.retryStrategy(retryStrategy(oneOfSeveral))
                .addExecutionInterceptor(timer));
        return builder;
    }

    /** The SDK's standard strategy (3 attempts); of several gateways 2, the pool sends the rest elsewhere. */
    private static RetryStrategy retryStrategy(boolean oneOfSeveral) {
        return oneOfSeveral ? AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(2).build()
                : AwsRetryStrategy.standardRetryStrategy();
    }

    private static String region(DestinationSpec destination) {
        return destination.regionOrDefault();
    }

    /**
     * The credentials the worker Deployment passes from the job's Secret as environment variables
     * ({@code secretKeyRef}), so a worker needs no permission to read Secrets; null when they are not
     * set (a worker started outside a Deployment, e.g. in tests), and then the Secret is read.
     */
    public static AwsCredentials fromEnvironment(Map<String, String> env) {
        String accessKey = env.get(Ferry.SECRET_ACCESS_KEY_ID);
        String secretKey = env.get(Ferry.SECRET_SECRET_ACCESS_KEY);
        if (accessKey == null || accessKey.isBlank() || secretKey == null || secretKey.isBlank()) {
            return null;
        }
        String token = env.get(Ferry.SECRET_SESSION_TOKEN);
        return token == null || token.isBlank() ? AwsBasicCredentials.create(accessKey.strip(), secretKey.strip())
                : AwsSessionCredentials.create(accessKey.strip(), secretKey.strip(), token.strip());
    }

    /**
     * For a job without {@code spec.destination.credentialsSecret}: the credentials of the worker's own identity,
     * found by the AWS SDK's default chain — IAM Roles for Service Accounts (a web identity token the EKS
     * webhook mounts, exchanged with STS), EKS Pod Identity or ECS (a container credentials endpoint), an
     * instance profile — and renewed by it before they expire. Nothing of them is in the cluster's Secrets.
     */
    static AwsCredentialsProvider fromWorkerIdentity() {
        return DefaultCredentialsProvider.builder().build();
    }

    /** Reads the access key pair (and optional session token) from the job's credentials Secret. */
    public static AwsCredentials credentials(KubernetesClient kubernetes, String namespace, String secretName) {
        Secret secret = kubernetes.secrets().inNamespace(namespace).withName(secretName).get();
        if (secret == null) {
            throw new RetryableTaskException("credentials Secret " + namespace + "/" + secretName + " not found");
        }
        String accessKey = value(secret, Ferry.SECRET_ACCESS_KEY_ID);
        String secretKey = value(secret, Ferry.SECRET_SECRET_ACCESS_KEY);
        if (accessKey == null || secretKey == null) {
            throw new RetryableTaskException("credentials Secret " + namespace + "/" + secretName + " lacks "
                    + Ferry.SECRET_ACCESS_KEY_ID + " or " + Ferry.SECRET_SECRET_ACCESS_KEY);
        }
        String token = value(secret, Ferry.SECRET_SESSION_TOKEN);
        return token == null ? AwsBasicCredentials.create(accessKey, secretKey)
                : AwsSessionCredentials.create(accessKey, secretKey, token);
    }

    private static String value(Secret secret, String key) {
        String value = SecretValues.value(secret, key);
        return value == null ? null : value.strip();
    }
}
