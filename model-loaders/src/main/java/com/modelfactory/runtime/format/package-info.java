/**
 * What a model file or folder is, decided by content first and extension second.
 *
 * <p>{@link com.modelfactory.runtime.format.ModelLocator} walks from what was unpacked or configured to
 * the model root (wrapper folders, numbered version folders, MODEL_FILE), and
 * {@link com.modelfactory.runtime.format.FormatDetector} names the format of that file or folder in a
 * {@link com.modelfactory.runtime.format.Detection}. Known formats no engine here runs are refused with
 * {@link com.modelfactory.runtime.format.UnsupportedModelFormatException}, whose message says how to convert.
 * {@link com.modelfactory.runtime.format.CheckpointSteps} and
 * {@link com.modelfactory.runtime.format.KerasFiles} answer the engines' follow-up questions (which
 * checkpoint step, which architecture JSON).
 */
package com.modelfactory.runtime.format;
