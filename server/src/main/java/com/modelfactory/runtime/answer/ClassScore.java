package com.modelfactory.runtime.answer;

/** One class of a classifier's answer: its probability (or raw score, when configured so). */
public record ClassScore(int classId, String label, float score) {
}
