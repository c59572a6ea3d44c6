package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.local.LocalS3;
import dev.ferry.local.S3Credentials;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `AWS_PROFILE=NAME ferry migrate ...` with a profile of AWS IAM Identity Center (SSO), as `aws configure sso`
 * writes it and `aws sso login` leaves its token: the CLI and the worker processes sign with the role's
 * credentials, which the SDK fetches from the SSO portal with the cached token. The portal is a local HTTP
 * server (named by {@code AWS_ENDPOINT_URL_SSO}, as one points any AWS client elsewhere) answering the keys of
 * the S3Proxy the run copies into; the user's home is a temporary directory holding the profile and the token.
 */
class SsoProfileIT {
    private static final S3Credentials ROLE_CREDENTIALS = new S3Credentials("sso-role-key", "sso-role-secret");
    private static final String ACCESS_TOKEN = "portal-access-token";

    @TempDir
    Path temp;

    @Test
    void aRunSignsWithTheRoleOfAnSsoProfileAfterAnSsoLogin() throws Exception {
        Path home = temp.resolve("home");
        Files.createDirectories(home.resolve(".aws/sso/cache"));
        Files.writeString(home.resolve(".aws/config"), """
                [profile migrator]
                sso_session = corp
                sso_account_id = 111122223333
                sso_role_name = StorageMigration
                region = us-east-1

                [sso-session corp]
                sso_start_url = https://corp.awsapps.com/start
                sso_region = us-east-1
                sso_registration_scopes = sso:account:access
                """);
        // what `aws sso login` caches: the token under the SHA-1 of the session's name
        String expires = Instant.now().plusSeconds(3600).toString();
        Files.writeString(home.resolve(".aws/sso/cache/" + sha1("corp") + ".json"), "{\"startUrl\":"
                + "\"https://corp.awsapps.com/start\",\"region\":\"us-east-1\",\"accessToken\":\"" + ACCESS_TOKEN
                + "\",\"expiresAt\":\"" + expires + "\",\"clientId\":\"client\",\"clientSecret\":\"secret\","
                + "\"registrationExpiresAt\":\"" + expires + "\",\"refreshToken\":\"refresh\"}");

        List<String> asked = new CopyOnWriteArrayList<>();
        HttpServer portal = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        portal.createContext("/federation/credentials", exchange -> {
            String token = exchange.getRequestHeaders().getFirst("x-amz-sso_bearer_token");
            asked.add(exchange.getRequestURI().getQuery() + " with token " + token);
            byte[] body = (ACCESS_TOKEN.equals(token)
                    ? "{\"roleCredentials\":{\"accessKeyId\":\"" + ROLE_CREDENTIALS.accessKey() + "\",\"secretAccessKey\":\""
                            + ROLE_CREDENTIALS.secretKey() + "\",\"sessionToken\":\"session\",\"expiration\":"
                            + Instant.now().plusSeconds(3600).toEpochMilli() + "}}"
                    : "{\"message\":\"Session token not found or invalid\"}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(ACCESS_TOKEN.equals(token) ? 200 : 401, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        portal.start();

        Path source = temp.resolve("tree");
        SourceTree.generate(source, 60, 300_000, 5);
        Map<String, String> expected = SourceTree.describe(source);
        try (LocalS3 s3 = LocalS3.start(0, temp.resolve("s3"), ROLE_CREDENTIALS)) {
            String cache = System.getenv("XDG_CACHE_HOME") != null ? System.getenv("XDG_CACHE_HOME")
                    : System.getProperty("user.home") + "/.cache"; // the launcher's class archives stay where they are
            FerryProcess.Result result = FerryProcess.run(temp, Map.of("HOME", home.toString(), "XDG_CACHE_HOME", cache,
                            "FERRY_BUILD", "never", "AWS_PROFILE", "migrator",
                            "AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:" + portal.getAddress().getPort()),
                    300, "migrate", source.toString(), "s3://sso-run", "--endpoint", s3.endpoint().toString(),
                    "--workers", "1", "--work-dir", temp.resolve(".ferry").toString());

            assertThat(result.exitCode()).as("exit code; stderr:%n%s", result.stderr()).isZero();
            assertThat(ObjectListing.of(s3, ROLE_CREDENTIALS, "sso-run", "")).isEqualTo(expected);
            assertThat(asked).as("the role's credentials, asked for with the cached token").isNotEmpty()
                    .allSatisfy(request -> assertThat(request).contains("role_name=StorageMigration",
                            "account_id=111122223333", "with token " + ACCESS_TOKEN));
        } finally {
            portal.stop(0);
        }
    }

    private static String sha1(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
