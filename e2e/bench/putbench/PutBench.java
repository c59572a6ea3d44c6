// Client CPU per PutObject of 8 KiB from memory, 16 threads, three rounds, against a running S3Proxy
// (the anchor harness's: ../shared/bench/s3proxy-start.sh, credentials benchkey/benchsecret).
//   apache|crt|url: the SDK client with that HTTP client; a fifth argument "fast": the signed PUT path.
// Not part of the build. CP=cli/target/ferry.jar plus, from ~/.m2 (mvn dependency:get), the jars of
// software.amazon.awssdk:aws-crt-client, software.amazon.awssdk.crt:aws-crt and
// software.amazon.awssdk:url-connection-client (2.57.8 / 0.49.0);
//   javac -cp $CP -d /tmp/pb e2e/bench/putbench/PutBench.java
//   java -XX:+UseParallelGC -cp $CP:/tmp/pb PutBench http://127.0.0.1:PORT apache 15000 16 [fast]
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.concurrent.*;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.*;
import software.amazon.awssdk.core.checksums.*;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.*;
import software.amazon.awssdk.services.s3.model.*;

public class PutBench {
    public static void main(String[] a) throws Exception {
        String endpoint = a[0]; String kind = a[1]; boolean fast = a.length > 4; int n = Integer.parseInt(a[2]); int threads = Integer.parseInt(a[3]);
        SdkHttpClient http = switch (kind) {
            case "crt" -> software.amazon.awssdk.http.crt.AwsCrtHttpClient.builder().maxConcurrency(threads + 8).build();
            case "url" -> software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.builder().build();
            default -> software.amazon.awssdk.http.apache.ApacheHttpClient.builder().maxConnections(threads + 8).expectContinueEnabled(false).build();
        };
        S3Client s3 = S3Client.builder().httpClient(http)
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("benchkey", "benchsecret")))
            .region(Region.US_EAST_1).forcePathStyle(true).endpointOverride(URI.create(endpoint))
            .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build())
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED).build();
        String bucket = "mb-" + kind;
        // Ferry's own signed PUT path (dev.ferry.worker.s3.SignedPut), sharing the client's HTTP client
        dev.ferry.worker.s3.SignedPut signed = fast ? new dev.ferry.worker.s3.SignedPut(URI.create(endpoint), "us-east-1",
                AwsBasicCredentials.create("benchkey", "benchsecret"), http,
                software.amazon.awssdk.awscore.retry.AwsRetryStrategy.standardRetryStrategy()) : null;
        try { s3.createBucket(b -> b.bucket(bucket)); } catch (Exception e) {}
        byte[] body = new byte[8192]; new java.util.Random(1).nextBytes(body);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int round = 0; round < 3; round++) {
            long cpu0 = os.getProcessCpuTime(); long t0 = System.nanoTime();
            AtomicInteger next = new AtomicInteger();
            final int r = round;
            CountDownLatch done = new CountDownLatch(threads);
            for (int t = 0; t < threads; t++) pool.submit(() -> {
                try {
                    MessageDigest md = MessageDigest.getInstance("MD5");
                    int i;
                    while ((i = next.getAndIncrement()) < n) {
                        String md5 = Base64.getEncoder().encodeToString(md.digest(body));
                        if (signed != null) {
                            signed.put(bucket, "r" + r + "/d" + (i % 100) + "/f" + i, body, md5,
                                    java.util.Map.of("mtime", "1700000000"), null);
                            continue;
                        }
                        s3.putObject(PutObjectRequest.builder().bucket(bucket).key("r" + r + "/d" + (i % 100) + "/f" + i).contentMD5(md5)
                            .contentLength((long) body.length).metadata(java.util.Map.of("mtime", "1700000000")).build(), RequestBody.fromBytes(body));
                    }
                } catch (Exception e) { e.printStackTrace(); } finally { done.countDown(); }
            });
            done.await();
            double cpu = (os.getProcessCpuTime() - cpu0) / 1e9, wall = (System.nanoTime() - t0) / 1e9;
            System.out.printf("%s round %d: %d PUTs wall %.1f s cpu %.1f s = %.0f us/PUT%n", kind, round, n, wall, cpu, cpu * 1e6 / n);
        }
        pool.shutdown(); s3.close();
    }
}
