package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class S3UrlTest {

    @Test
    void splitsBucketAndPrefix() {
        assertThat(S3Url.parse("s3://demo")).isEqualTo(new S3Url("demo", ""));
        assertThat(S3Url.parse("s3://demo/a/b/")).isEqualTo(new S3Url("demo", "a/b"));
        assertThat(S3Url.parse("s3://demo/a/b").toString()).isEqualTo("s3://demo/a/b");
    }

    @Test
    void refusesWhatIsNotAnS3UrlNamingTheExpectedForm() {
        assertThatThrownBy(() -> S3Url.parse("demo")).hasMessageContaining("s3://BUCKET[/PREFIX]");
        assertThatThrownBy(() -> S3Url.parse("s3://Demo_Bucket")).hasMessageContaining("not a valid bucket name");
    }
}
