package dev.ferry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** One key of a Secret in the job's namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecretKeyReference {
    /** The key of a CA bundle by the convention of Kubernetes' TLS Secrets and cert-manager. */
    public static final String DEFAULT_KEY = "ca.crt";

    @Required
    @Pattern(Patterns.DNS_NAME)
    @Size(max = 253)
    @JsonPropertyDescription("Name of the Secret, in the job's namespace.")
    public String name;

    @Default(DEFAULT_KEY)
    @Pattern("^[-._a-zA-Z0-9]+$")
    @Size(max = 253)
    @JsonPropertyDescription("Key in the Secret (default ca.crt).")
    public String key;

    public SecretKeyReference() {
    }

    public SecretKeyReference(String name, String key) {
        this.name = name;
        this.key = key;
    }

    public String keyOrDefault() {
        return key == null || key.isBlank() ? DEFAULT_KEY : key;
    }
}
