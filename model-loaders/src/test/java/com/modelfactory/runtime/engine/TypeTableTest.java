package com.modelfactory.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class TypeTableTest {
    private enum EngineType { F32, F32_REF, I64 }

    private static final TypeTable<EngineType> TABLE = TypeTable.<EngineType>builder("Fake Engine")
            .map(DataType.FP32, EngineType.F32).map(DataType.INT64, EngineType.I64)
            .reads(EngineType.F32_REF, DataType.FP32).build();

    @Test
    void readsBothWays() {
        assertEquals(EngineType.F32, TABLE.engineType(DataType.FP32));
        assertEquals(Optional.of(DataType.FP32), TABLE.dataType(EngineType.F32_REF));
        assertEquals(Optional.of(DataType.INT64), TABLE.dataType(EngineType.I64));
        assertEquals(EngineType.F32, TABLE.forInput("x", DataType.FP32), "an alias is never what is passed");
    }

    @Test
    void aDatatypeTheEngineLacksIsAClientErrorNamingTheInput() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> TABLE.forInput("text", DataType.BYTES));
        assertEquals("input 'text' is BYTES, which Fake Engine cannot take; it takes [INT64, FP32]", e.getMessage());
        IllegalArgumentException a = assertThrows(IllegalArgumentException.class, () -> TABLE.engineType(DataType.BF16));
        assertTrue(a.getMessage().contains("BF16") && a.getMessage().contains("Fake Engine"), a.getMessage());
    }
}
