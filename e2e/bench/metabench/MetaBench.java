// S3Proxy's CPU per PUT and per listed object against the number of user-metadata keys (docs/benchmarks.md,
// "Why S3Proxy works harder on Ferry's runs"). PUTs of 8 KiB through Ferry's SignedPut into a fresh bucket,
// 3 rounds of N, then (with "list") 100 folders of 100 objects listed with the delimiter "/", as the audit lists;
// S3Proxy's CPU is read from /proc/PID/stat. Not part of the build; against a running S3Proxy with the
// credentials benchkey/benchsecret (../shared/bench/s3proxy-start.sh, or java -cp cli/target/ferry.jar
// org.gaul.s3proxy.Main --properties FILE):
//   javac -cp cli/target/ferry.jar -d /tmp/mb e2e/bench/metabench/MetaBench.java
//   for k in 1 3 6 1 3 6; do java -cp cli/target/ferry.jar:/tmp/mb MetaBench http://127.0.0.1:PORT 10000 16 $k S3PROXY_PID list; done
import java.net.URI;
import java.nio.file.*;
import java.security.MessageDigest;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.*;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.*;
import software.amazon.awssdk.services.s3.model.*;

public class MetaBench {
    static long cpuTicks(String pid) throws Exception {
        String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
    public static void main(String[] a) throws Exception {
        String endpoint = a[0]; int n = Integer.parseInt(a[1]); int threads = Integer.parseInt(a[2]);
        int k = Integer.parseInt(a[3]); String pid = a[4];
        var http = software.amazon.awssdk.http.apache.ApacheHttpClient.builder().maxConnections(threads + 8).expectContinueEnabled(false).build();
        S3Client s3 = S3Client.builder().httpClient(http)
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("benchkey", "benchsecret")))
            .region(Region.US_EAST_1).forcePathStyle(true).endpointOverride(URI.create(endpoint)).build();
        var signed = new dev.ferry.worker.s3.SignedPut(URI.create(endpoint), "us-east-1",
                AwsBasicCredentials.create("benchkey", "benchsecret"), http,
                software.amazon.awssdk.awscore.retry.AwsRetryStrategy.standardRetryStrategy());
        String bucket = "meta" + k + "-" + System.nanoTime();
        s3.createBucket(b -> b.bucket(bucket));
        Map<String, String> all = new LinkedHashMap<>();
        all.put("mtime", "1700000000.123456789"); all.put("md5chksum", "XrY7u+Ae7tCTyyK7j1rNww=="); all.put("mode", "100644");
        all.put("uid", "1000"); all.put("gid", "1000"); all.put("ferry-job", "0f6e3c1a-1b2c-4d5e-8f90-123456789abc");
        Map<String, String> meta = new LinkedHashMap<>();
        all.entrySet().stream().limit(k).forEach(e -> meta.put(e.getKey(), e.getValue()));
        byte[] body = new byte[8192]; new Random(1).nextBytes(body);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime(); long c0 = cpuTicks(pid);
            AtomicInteger next = new AtomicInteger(); final int r = round;
            CountDownLatch done = new CountDownLatch(threads);
            for (int t = 0; t < threads; t++) pool.submit(() -> {
                try {
                    MessageDigest md = MessageDigest.getInstance("MD5"); int i;
                    while ((i = next.getAndIncrement()) < n) {
                        String md5 = Base64.getEncoder().encodeToString(md.digest(body));
                        signed.put(bucket, "r" + r + "/d" + (i % 100) + "/f" + i, body, md5, meta, null);
                    }
                } catch (Exception e) { e.printStackTrace(); } finally { done.countDown(); }
            });
            done.await();
            double wall = (System.nanoTime() - t0) / 1e9, cpu = (cpuTicks(pid) - c0) / 100.0;
            System.out.printf("K=%d round %d: %d PUTs wall %.1f s, S3Proxy %.1f CPU-s = %.0f us/PUT%n", k, round, n, wall, cpu, cpu * 1e6 / n);
        }
        if (a.length > 5) {
            for (int round = 0; round < 2; round++) {
                long t0 = System.nanoTime(); long c0 = cpuTicks(pid);
                int count = 0;
                for (int d = 0; d < 100; d++) { String token = null;
                do {
                    var req = ListObjectsV2Request.builder().bucket(bucket).prefix("r0/d" + d + "/").delimiter("/").continuationToken(token).build();
                    var res = s3.listObjectsV2(req); count += res.contents().size(); token = res.nextContinuationToken();
                } while (token != null); }
                double wall = (System.nanoTime() - t0) / 1e9, cpu = (cpuTicks(pid) - c0) / 100.0;
                System.out.printf("K=%d list %d objects: wall %.1f s, S3Proxy %.1f CPU-s = %.0f us/object%n", k, count, wall, cpu, cpu * 1e6 / count);
            }
        }
        pool.shutdown(); s3.close();
    }
}
