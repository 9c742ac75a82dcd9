/**
 * Wire shapes of the Riverbed FlowGateway analytics API and the Common API 1.0 (docs/vendors/riverbed-flowgateway.md),
 * parsed with zod. Records keep unknown fields (`z.looseObject`) and are handed on as the device
 * sent them.
 */
import { z } from 'zod';

const count = z.number().finite().nonnegative();
/** The documentation types peaks as strings; a number is tolerated and kept as sent. */
const peak = z.union([z.string(), z.number().finite()]);

/** One `DisplayStats` row. */
export const DisplayStatsRecord = z.looseObject({
  time: z.string().min(1),
  source_ip: z.string(),
  n_flows: count,
  n_bytes: count,
  n_bad_bytes: count.optional(),
  n_packets: count,
  n_bad_packets: count.optional(),
  peak_n_flows: peak.optional(),
  peak_n_bytes: peak.optional(),
  peak_n_packets: peak.optional(),
});
export type DisplayStatsRecord = z.infer<typeof DisplayStatsRecord>;

/** The answer: the documented example is a bare array, the schema names it `DisplayStats`. */
export const ImportStatsResponse = z.union([
  z.array(z.unknown()),
  z.looseObject({ DisplayStats: z.array(z.unknown()) }),
]);

/** Common API errors: `{error_id, error_text, error_info?}`. */
export const CommonApiError = z.looseObject({
  error_id: z.string(),
  error_text: z.string().optional(),
  error_info: z.unknown().optional(),
});

export const AuthInfo = z.looseObject({
  supported_methods: z.array(z.string()).default([]),
  specify_purpose: z.boolean().optional(),
  login_banner: z.string().optional(),
});
export type AuthInfo = z.infer<typeof AuthInfo>;

export const LoginResponse = z.looseObject({
  session_key: z.string().min(1),
  session_id: z.string().min(1),
});

export const TokenResponse = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  // The C# sample reads it as a string: accept a numeric string too.
  expires_in: z.union([z.number(), z.string().regex(/^\d+(\.\d+)?$/).transform(Number)]).optional(),
});
