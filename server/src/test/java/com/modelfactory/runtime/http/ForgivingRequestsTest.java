package com.modelfactory.runtime.http;

import static com.modelfactory.runtime.testing.TestRuntime.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.modelfactory.runtime.testing.TestRuntime;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * What curl sends by default: {@code --data-binary @photo.png} and {@code -d '{...}'} go out as
 * application/x-www-form-urlencoded, and a client may send no type at all. /predict serves an image or a
 * JSON body whatever of those it is labelled, the same as when labelled right.
 */
class ForgivingRequestsTest {

    @Test
    void imagesAndJsonUnderCurlsDefaultTypeOrNoneAreServed() throws Exception {
        byte[] png = Files.readAllBytes(fixture("images/cat32.png"));
        try (TestRuntime rt = TestRuntime.start("--model", fixture("onnx/tiny_cnn").toString())) {
            HttpResponse<String> right = rt.post("/predict", "image/png", png);
            assertEquals(200, right.statusCode(), right.body());
            HttpResponse<String> form = rt.post("/predict", "application/x-www-form-urlencoded", png);
            assertEquals(200, form.statusCode(), form.body());
            assertEquals(predictions(right), predictions(form));
            HttpResponse<String> none = HttpClient.newHttpClient().send(HttpRequest.newBuilder(rt.uri("/predict"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(png)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, none.statusCode(), none.body());
            assertEquals(predictions(right), predictions(none));

            String b64 = java.util.Base64.getEncoder().encodeToString(png);
            byte[] json = ("{\"image\": \"" + b64 + "\"}").getBytes();
            HttpResponse<String> jsonAsForm = rt.post("/predict", "application/x-www-form-urlencoded", json);
            assertEquals(200, jsonAsForm.statusCode(), jsonAsForm.body());
            assertEquals(predictions(right), predictions(jsonAsForm));
        }
    }

    private static Object predictions(HttpResponse<String> r) {
        return new JsonObject(r.body()).getValue("predictions");
    }
}
