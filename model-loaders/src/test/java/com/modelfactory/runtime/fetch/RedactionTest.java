package com.modelfactory.runtime.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RedactionTest {
    @Test
    void queryValuesAreHiddenExceptWhichModel() {
        assertEquals("http://store:8080/model/download?modelId=m1&modelVersion=2&guid=***",
                Redaction.url("http://store:8080/model/download?modelId=m1&modelVersion=2&guid=abc-123"));
        assertEquals("https://s3.example/b/m.zip?X-Amz-Signature=***&X-Amz-Credential=***&token=***",
                Redaction.url("https://s3.example/b/m.zip?X-Amz-Signature=f00&X-Amz-Credential=AKIA/x&token=t"));
    }

    @Test
    void userInfoAndFragmentsAreRemoved() {
        assertEquals("https://***@host/m.zip", Redaction.url("https://user:pass@host/m.zip"));
        assertEquals("https://***@host/m.zip?a=***", Redaction.url("https://user:p@ss@host/m.zip?a=1#frag"));
        assertEquals("/local/model.onnx", Redaction.url("/local/model.onnx"));
    }
}
