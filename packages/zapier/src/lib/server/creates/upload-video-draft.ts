// Upload Video as Draft (via the server): the video goes to the creator's inbox.
import { serverVideoCreate } from '../perform-post';

export const serverUploadVideoDraft = serverVideoCreate({
  key: 'upload_video_draft',
  noun: 'Draft',
  label: 'Upload Video as Draft',
  description: "Sends a video to the creator's TikTok inbox through your tokpipe server; they finish it in the app.",
  mode: 'draft',
});
