/** A number the engine "owns": inbound calls to it fetch TwiML from `voiceUrl`. */
export interface PhoneNumber {
  sid: string;
  accountSid: string;
  phoneNumber: string;
  friendlyName: string;
  voiceUrl: string | null;
  voiceMethod: 'POST' | 'GET';
  statusCallback: string | null;
  statusCallbackMethod: 'POST' | 'GET';
  createdMs: number;
  updatedMs: number;
}
